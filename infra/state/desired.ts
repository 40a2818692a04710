import {
  type KeyRecord,
  MANAGED_BY,
  type ManagedRecord,
  publicKeyKey,
  type WidgetRecord,
  widgetKey,
} from '../../functions/records/table';
import type { ResolvedWidget } from '../config/resolve';

/** What is generated for a widget once, kept in the table (local) or Pulumi state (AWS). */
export interface WidgetKeys {
  /** Made when the widget is created and never reused: a re-declared id is a new widget. */
  incarnation: string;
  current: { publicKey: string; version: number };
  /** Rotated-out keys still inside their grace period. */
  retired: { publicKey: string; version: number; graceUntil: number }[];
}

/**
 * The records one widget needs: its config item and one item per live key. Pure, so the local
 * reconciler and the Pulumi program produce byte-identical items from the same config.
 */
export function widgetRecords(widget: ResolvedWidget, keys: WidgetKeys): ManagedRecord[] {
  const config: WidgetRecord = {
    ...widgetKey(widget.id),
    sk: 'CONFIG',
    managedBy: MANAGED_BY,
    widgetId: widget.id,
    name: widget.name,
    model: widget.model,
    systemPrompt: widget.systemPrompt,
    ...(widget.greeting !== undefined && { greeting: widget.greeting }),
    ...(widget.placeholder !== undefined && { placeholder: widget.placeholder }),
    locale: widget.locale,
    ...(widget.texts && { texts: widget.texts }),
    theme: widget.theme,
    allowedOrigins: widget.allowedOrigins,
    limits: widget.limits,
    status: widget.status,
    quickActions: widget.quickActions,
    feedback: widget.feedback,
    faq: widget.faq,
    retentionDays: widget.retentionDays,
    publicKey: keys.current.publicKey,
    keyVersion: keys.current.version,
    keyGrace: Object.fromEntries(keys.retired.map((k) => [String(k.version), k.graceUntil])),
    incarnation: keys.incarnation,
    // Left out when empty, so widgets without knowledge keep the items they had.
    ...(widget.knowledge.length > 0 ? { knowledge: widget.knowledge } : {}),
    ...(widget.identity && { identity: widget.identity }),
  };
  const current: KeyRecord = {
    ...publicKeyKey(keys.current.publicKey),
    sk: 'KEY',
    managedBy: MANAGED_BY,
    widgetId: widget.id,
    keyVersion: keys.current.version,
    incarnation: keys.incarnation,
  };
  const retired = keys.retired.map(
    (k): KeyRecord => ({
      ...publicKeyKey(k.publicKey),
      sk: 'KEY',
      managedBy: MANAGED_BY,
      widgetId: widget.id,
      keyVersion: k.version,
      incarnation: keys.incarnation,
      graceUntil: k.graceUntil,
    }),
  );
  return [config, current, ...retired];
}
