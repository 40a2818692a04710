/**
 * Runtime-owned counter items (never written by the reconciler). One item per widget per UTC
 * day holds the limit counts and that day's usage, so admitting a message is one conditional
 * UpdateItem; the quota-reset job copies finished days into usage history items.
 */
export const counterKey = (widgetId: string, day: string) => ({ pk: `COUNTER#${widgetId}`, sk: `DAY#${day}` });
export const visitorCounterKey = (widgetId: string, visitor: string, day: string) => ({
  pk: `VISITOR#${widgetId}#${visitor}`,
  sk: `DAY#${day}`,
});
export const usageKey = (widgetId: string, day: string) => ({ pk: `USAGE#${widgetId}`, sk: `DAY#${day}` });

/** Usage figures of one widget for one UTC day (counter item fields, and usage history items). */
export interface DailyUsage {
  widgetId: string;
  day: string;
  sessions: number;
  messages: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** Refusals by error code, e.g. `{ widget_rate_limit: 3 }`. */
  refusals: Record<string, number>;
}

/** The live counter item for a widget's day. */
export interface CounterRecord extends Partial<DailyUsage> {
  pk: string;
  sk: string;
  widgetId: string;
  day: string;
  /** Epoch minute (floor(ms / 60000)) the `cur` count belongs to. */
  minute?: number;
  /** Messages admitted in `minute`, and in the minute before it. */
  cur?: number;
  prev?: number;
  /** Per second of `minute`: how many messages that second's sliding window still admits in total. */
  caps?: number[];
  expiresAt: number;
}

/** A finished day in usage history (written only by the quota-reset job). */
export interface UsageRecord extends DailyUsage {
  pk: string;
  sk: string;
  expiresAt: number;
  /** Digest of the counter figures copied; a later write changes the counter's, so the job copies again. */
  digest?: string;
}

/**
 * Counter items outlive their day long enough for a local target stopped for weeks to roll them
 * up; history keeps ~13 months.
 */
export const COUNTER_RETENTION_DAYS = 35;
export const USAGE_RETENTION_DAYS = 400;

/**
 * The usage roster: one item per widget with usage history, kept by the quota-reset job as it
 * copies. It outlives a widget's removal from the config
 * by the history's lifetime, so the job and the report still find a deleted widget's usage.
 */
export const usageRosterKey = (widgetId: string) => ({ pk: 'USAGE-ROSTER', sk: `WIDGET#${widgetId}` });

export interface UsageRosterRecord {
  pk: string;
  sk: string;
  widgetId: string;
  expiresAt: number;
}

/**
 * The day roster: one item per widget per UTC day whose counter exists, written by the write that
 * created the counter (a message, a session start or a refusal), so the quota-reset job reads only
 * the widgets that had traffic. Written at admission, it outlives the widget's removal from the config.
 */
export const activeRosterKey = (day: string, widgetId: string) => ({ pk: `ACTIVE#${day}`, sk: `WIDGET#${widgetId}` });

export interface ActiveRosterRecord {
  pk: string;
  sk: string;
  widgetId: string;
  /** The counter's own expiry: the roster is read while the counter can still be copied. */
  expiresAt: number;
}

/** The quota-reset job's progress: `doneThrough` is the last day every listed counter was copied. */
export const ROLL_UP_STATE_KEY = { pk: 'QUOTA-RESET', sk: 'STATE' };
