import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { generatePublicKey, KEY_GRACE_MS } from '../../functions/keys/public-key';
import {
  FIRST_INCARNATION,
  isWidgetRecord,
  type KeyRecord,
  type ManagedRecord,
  publicKeyKey,
  type WidgetRecord,
} from '../../functions/records/table';
import { ConfigError } from '../config/load';
import type { ResolvedConfig } from '../config/resolve';
import { type WidgetKeys, widgetRecords } from '../state/desired';
import { planKeyLifecycle } from '../state/key-lifecycle';

export type WidgetAction = 'create' | 'update' | 'rotate-key' | 'delete';

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

/** What applying the config does to one widget. */
export interface WidgetChange {
  widgetId: string;
  action: WidgetAction;
  puts: ManagedRecord[];
  deletes: { pk: string; sk: string }[];
  fields: FieldChange[];
  notes: string[];
}

export interface Plan {
  stack: string;
  changes: WidgetChange[];
  warnings: string[];
}

export interface PlanOptions {
  now?: number;
  generateKey?: () => string;
}

/**
 * Compares the desired records of `config` with the managed records the table holds and
 * lists, per widget, the writes that make them equal: create, update (with changed fields),
 * rotate-key, delete. Keys follow `planKeyLifecycle`, as on AWS; a widget whose keyRotation went
 * back throws a ConfigError listing them all. Pure apart from key generation, which is injectable.
 */
export function planChanges(
  config: ResolvedConfig,
  current: readonly ManagedRecord[],
  { now = Date.now(), generateKey = generatePublicKey }: PlanOptions = {},
): Plan {
  // A key item belongs to the widget whose item names its key, whatever its own widgetId says
  // (edited by hand): otherwise two widgets would both claim, and both write, the same key.
  const keyOwner = new Map(current.filter(isWidgetRecord).map((r) => [publicKeyKey(r.publicKey).pk, r.widgetId]));
  const byWidget = new Map<string, ManagedRecord[]>();
  for (const record of current) {
    const owner = isWidgetRecord(record) ? record.widgetId : (keyOwner.get(record.pk) ?? record.widgetId);
    const list = byWidget.get(owner) ?? [];
    list.push(record);
    byWidget.set(owner, list);
  }
  const changes: WidgetChange[] = [];
  const refusals: string[] = [];
  for (const widget of config.widgets) {
    const existing = byWidget.get(widget.id) ?? [];
    byWidget.delete(widget.id);
    const held = heldKeys(existing);
    const lifecycle = planKeyLifecycle({
      widgetId: widget.id,
      keyRotation: widget.keyRotation,
      held: [...held.keys].map(([version, { retiredAt }]) => ({ version, retiredAt })),
      now,
    });
    if ('refusal' in lifecycle) {
      refusals.push(lifecycle.refusal);
      continue;
    }
    const keyOf = (version: number) => held.keys.get(version)!.publicKey;
    const widgetKeys: WidgetKeys = {
      incarnation: held.incarnation ?? randomUUID(),
      current: { publicKey: lifecycle.issue ? generateKey() : keyOf(lifecycle.current), version: lifecycle.current },
      retired: lifecycle.retired.map((k) => ({ ...k, publicKey: keyOf(k.version) })),
    };
    const notes = lifecycle.expired.map((version) => `rotated key version ${version} passed its grace period: deleted`);
    let action: WidgetAction = 'update';
    if (held.keys.size === 0) action = 'create';
    else if (lifecycle.issue) {
      action = 'rotate-key';
      const previous = Math.max(...held.keys.keys());
      const graceUntil = new Date(now + KEY_GRACE_MS).toISOString();
      notes.push(
        `key version ${previous} → ${lifecycle.current}; the old key starts no new session, ` +
          `its sessions work until ${graceUntil}`,
      );
    }
    const desired = widgetRecords(widget, widgetKeys);
    const change = diffRecords(widget.id, action, desired, existing);
    change.notes.push(...notes);
    if (change.puts.length > 0 || change.deletes.length > 0) changes.push(change);
  }
  // Nothing is written when a widget is refused: the whole apply stops, as `pulumi up` does.
  if (refusals.length > 0) throw new ConfigError(refusals);

  for (const [widgetId, records] of [...byWidget].sort(([a], [b]) => a.localeCompare(b))) {
    changes.push({
      widgetId,
      action: 'delete',
      puts: [],
      deletes: records.map(({ pk, sk }) => ({ pk, sk })),
      fields: [],
      notes: ['its key stops working and its sessions are refused at their next request'],
    });
  }
  return { stack: config.stack, changes, warnings: [...config.warnings] };
}

interface HeldKeys {
  incarnation?: string;
  keys: Map<number, { publicKey: string; retiredAt?: number }>;
}

// The key items are the history the table keeps; a retired one stores its deadline, so its
// rotation time is that minus the grace. The widget item's key counts only for a version above
// every key item (its key item was deleted by hand: repaired, not re-keyed); a key typed into the
// widget item for an existing version is drift to repair, never a key to keep.
function heldKeys(existing: readonly ManagedRecord[]): HeldKeys {
  const keys: HeldKeys['keys'] = new Map();
  const keyItems = existing.filter((r): r is KeyRecord => !isWidgetRecord(r));
  for (const record of keyItems) {
    const retiredAt = record.graceUntil === undefined ? undefined : record.graceUntil - KEY_GRACE_MS;
    keys.set(record.keyVersion, { publicKey: record.pk.slice('KEY#'.length), retiredAt });
  }
  const widget = existing.find(isWidgetRecord);
  if (widget && keyItems.every((k) => k.keyVersion < widget.keyVersion && k.pk !== publicKeyKey(widget.publicKey).pk)) {
    keys.set(widget.keyVersion, { publicKey: widget.publicKey });
  }
  if (keys.size === 0) return { keys };
  const incarnation = widget?.incarnation ?? keyItems.find((k) => k.incarnation)?.incarnation ?? FIRST_INCARNATION;
  return { incarnation, keys };
}

const recordId = (r: { pk: string; sk: string }) => `${r.pk}\u0000${r.sk}`;

function diffRecords(
  widgetId: string,
  action: WidgetAction,
  desired: ManagedRecord[],
  existing: readonly ManagedRecord[],
): WidgetChange {
  const existingById = new Map(existing.map((r) => [recordId(r), r]));
  const change: WidgetChange = { widgetId, action, puts: [], deletes: [], fields: [], notes: [] };
  for (const record of desired) {
    const before = existingById.get(recordId(record));
    existingById.delete(recordId(record));
    if (before && isDeepStrictEqual(before, record)) continue;
    change.puts.push(record);
    if (action !== 'create' && isWidgetRecord(record)) {
      change.fields.push(...fieldChanges((before as WidgetRecord | undefined) ?? {}, record));
    } else if (action === 'update' && !isWidgetRecord(record)) {
      change.notes.push(`key item for version ${(record as KeyRecord).keyVersion} ${before ? 'repaired' : 'restored'}`);
    }
  }
  for (const stale of existingById.values()) change.deletes.push({ pk: stale.pk, sk: stale.sk });
  return change;
}

function fieldChanges(before: Partial<WidgetRecord>, after: WidgetRecord): FieldChange[] {
  const fields = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...fields]
    .filter((f) => !isDeepStrictEqual(before[f as keyof WidgetRecord], after[f as keyof WidgetRecord]))
    .map((f) => ({ field: f, before: before[f as keyof WidgetRecord], after: after[f as keyof WidgetRecord] }));
}

export function countChanges(plan: Plan): Record<WidgetAction, number> {
  const counts: Record<WidgetAction, number> = { create: 0, update: 0, 'rotate-key': 0, delete: 0 };
  for (const change of plan.changes) counts[change.action] += 1;
  return counts;
}
