import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PerchError } from '../errors/perch-error';
import type { WidgetLimits } from '../records/table';
import { listIfFirstOfDay } from '../usage/active-roster';
import { COUNTER_RETENTION_DAYS, counterKey } from '../usage/counter-record';
import { nextUtcMidnight, utcDay } from '../usage/day';
import { addUnderCap, takeBack } from './capped-count';

export const DEFAULT_SESSIONS_PER_VISITOR_PER_HOUR = 30;
/** `sessionsPerDay` when the widget sets none: ten starts for every message it may answer. */
export const sessionsPerDayDefault = (perDay: number) => 10 * perDay;

const HOUR_MS = 3_600_000;

export interface SessionStartOptions {
  doc: DynamoDBDocumentClient;
  table: string;
  widgetId: string;
  limits: Pick<WidgetLimits, 'perDay' | 'sessionsPerDay' | 'sessionsPerVisitorPerHour'>;
  /** Salted hash of the visitor (network or signed-in `sub`). */
  visitor: string;
  now: number;
}

/** A visitor's starts in one UTC hour of one widget; kept a day past its hour, then expired. */
export const visitorStartsKey = (widgetId: string, visitor: string, hour: number) => ({
  pk: `STARTS#${widgetId}#${visitor}`,
  sk: `HOUR#${hour}`,
});

const refusal = (retryAfterMs: number) =>
  new PerchError('session_rate_limit', {
    headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) },
  });

/**
 * Admits a new session against `sessionsPerVisitorPerHour` (per visitor, per UTC hour) and
 * `sessionsPerDay` (per widget, per UTC day, the day counter's `sessions`), each a single-item
 * conditional write, so no concurrency starts more. A refusal counts nothing: the visitor's start
 * is given back when the day refuses; the start that creates the day's counter lists the day.
 * Throws `session_rate_limit` with Retry-After.
 */
export async function admitSessionStart(options: SessionStartOptions): Promise<void> {
  const { doc, table, widgetId, limits, visitor, now } = options;
  const hour = Math.floor(now / HOUR_MS);
  const visitorKey = visitorStartsKey(widgetId, visitor, hour);
  const perHour = limits.sessionsPerVisitorPerHour ?? DEFAULT_SESSIONS_PER_VISITOR_PER_HOUR;
  const hourExpiry = Math.floor(((hour + 1) * HOUR_MS) / 1000) + 86_400;
  if (!(await addUnderCap({ doc, table, key: visitorKey }, 'starts', perHour, { expiresAt: hourExpiry }))) {
    throw refusal((hour + 1) * HOUR_MS - now);
  }
  const day = utcDay(now);
  const perDay = limits.sessionsPerDay ?? sessionsPerDayDefault(limits.perDay);
  const dayFields = {
    widgetId,
    day,
    expiresAt: Math.floor(nextUtcMidnight(now) / 1000) + COUNTER_RETENTION_DAYS * 86_400,
  };
  const counted = await addUnderCap({ doc, table, key: counterKey(widgetId, day) }, 'sessions', perDay, dayFields);
  if (!counted) {
    await takeBack({ doc, table, key: visitorKey }, 'starts');
    throw refusal(nextUtcMidnight(now) - now);
  }
  await listIfFirstOfDay(doc, table, dayFields, counted.old);
}
