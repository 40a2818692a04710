import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { generatePublicKey, KEY_GRACE_MS } from '../../functions/keys/public-key';
import {
  FIRST_INCARNATION,
  isWidgetRecord,
  publicKeyKey,
  type KeyRecord,
  type ManagedRecord,
  type WidgetRecord,
} from '../../functions/records/table';
import type { ResolvedConfig } from '../config/resolve';
import { widgetRecords, type WidgetKeys } from '../state/desired';

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
 * rotate-key, delete. Pure apart from key generation, which is injectable.
 */
export function planChanges(
  config: ResolvedConfig,
  current: readonly ManagedRecord[],
  { now = Date.now(), generateKey = generatePublicKey }: PlanOptions = {},
): Plan {
  const warnings = [...config.warnings];
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

  for (const widget of config.widgets) {
    const existing = byWidget.get(widget.id) ?? [];
    byWidget.delete(widget.id);
    const notes: string[] = [];
    const keys = currentKeys(existing, now);
    let action: WidgetAction = 'update';
    let widgetKeys: WidgetKeys;
    if (!keys) {
      action = 'create';
      widgetKeys = { incarnation: randomUUID(), current: { publicKey: generateKey(), version: widget.keyRotation }, retired: [] };
    } else if (widget.keyRotation > keys.current.version) {
      action = 'rotate-key';
      const graceUntil = now + KEY_GRACE_MS;
      widgetKeys = {
        incarnation: keys.incarnation,
        current: { publicKey: generateKey(), version: widget.keyRotation },
        retired: [...keys.retired, { ...keys.current, graceUntil }],
      };
      notes.push(
        `key version ${keys.current.version} → ${widget.keyRotation}; the old key starts no new session, its sessions work until ${new Date(graceUntil).toISOString()}`,
      );
    } else {
      if (widget.keyRotation < keys.current.version) {
        warnings.push(
          `widgets.${widget.id}.keyRotation is ${widget.keyRotation} but the table holds key version ${keys.current.version}; keys never go back, keeping version ${keys.current.version}`,
        );
      }
      widgetKeys = keys;
      notes.push(...keys.expired.map((k) => `rotated key version ${k.version} passed its grace period: deleted`));
    }
    const desired = widgetRecords(widget, widgetKeys);
    const change = diffRecords(widget.id, action, desired, existing);
    change.notes.push(...notes);
    if (change.puts.length > 0 || change.deletes.length > 0) changes.push(change);
  }

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
  return { stack: config.stack, changes, warnings };
}

interface CurrentKeys extends WidgetKeys {
  expired: { publicKey: string; version: number }[];
}

// The live key is the highest version among the key items; lower versions are retired, and
// dropped once their grace ends. The widget item's key counts only for a version above every key
// item (its key item was deleted by hand: repaired, not re-keyed); a key typed into the widget
// item for an existing version is drift to repair, never a key to keep.
function currentKeys(existing: readonly ManagedRecord[], now: number): CurrentKeys | undefined {
  const candidates: { publicKey: string; version: number; graceUntil?: number }[] = [];
  const keyItems = existing.filter((r): r is KeyRecord => !isWidgetRecord(r));
  for (const record of keyItems) {
    candidates.push({ publicKey: record.pk.slice('KEY#'.length), version: record.keyVersion, graceUntil: record.graceUntil });
  }
  const widget = existing.find(isWidgetRecord);
  if (widget && candidates.every((k) => k.version < widget.keyVersion && k.publicKey !== widget.publicKey)) {
    candidates.push({ publicKey: widget.publicKey, version: widget.keyVersion });
  }
  const [latest, ...older] = candidates.sort((a, b) => b.version - a.version);
  if (!latest) return undefined;
  const retired = older.map((k) => ({ publicKey: k.publicKey, version: k.version, graceUntil: k.graceUntil ?? now + KEY_GRACE_MS }));
  return {
    incarnation: widget?.incarnation ?? keyItems.find((k) => k.incarnation)?.incarnation ?? FIRST_INCARNATION,
    current: { publicKey: latest.publicKey, version: latest.version },
    retired: retired.filter((k) => k.graceUntil > now),
    expired: retired.filter((k) => k.graceUntil <= now),
  };
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
    .map((field) => ({ field, before: before[field as keyof WidgetRecord], after: after[field as keyof WidgetRecord] }));
}

export function countChanges(plan: Plan): Record<WidgetAction, number> {
  const counts: Record<WidgetAction, number> = { create: 0, update: 0, 'rotate-key': 0, delete: 0 };
  for (const change of plan.changes) counts[change.action] += 1;
  return counts;
}
