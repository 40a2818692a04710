import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchGetItems, batchPutItems } from '../records/batch';
import { type CounterRecord, USAGE_RETENTION_DAYS, type UsageRecord, usageKey, usageRosterKey } from './counter-record';
import { projectionOf, USAGE_NUMBERS, usageDigest, usageFigures } from './daily-usage';
import { utcDayStart } from './day';
import { usageRosterEntry } from './roster';

/** What a roll-up reads of a counter. */
export type Counter = Pick<CounterRecord, 'pk' | 'sk' | 'expiresAt' | (typeof USAGE_NUMBERS)[number] | 'refusals'>;

/** Counts of one run, added to by every batch. */
export interface CopyTally {
  daysCopied: number;
  daysRecopied: number;
  daysCurrent: number;
  rosterWrites: number;
}

type Key = { pk: string; sk: string };

const DAY_SECONDS = 86_400;
export const COUNTER_PROJECTION = projectionOf(['pk', 'sk', 'expiresAt', 'refusals', ...USAGE_NUMBERS]);

const counterWidgetId = (counter: Pick<Counter, 'pk'>) => counter.pk.slice('COUNTER#'.length);
const counterDay = (counter: Pick<Counter, 'sk'>) => counter.sk.slice('DAY#'.length);
const isExpired = (item: { expiresAt?: number }, nowMs: number) =>
  typeof item.expiresAt === 'number' && item.expiresAt * 1000 <= nowMs;

/**
 * Copies each counter into usage history unless history already holds the digest of the same
 * figures, and keeps each copied widget on the usage roster. A write that lands after the read
 * changes the counter's digest, so the next run (which re-reads the last day it finished) copies
 * it again: every put is of figures the counter held, and the last one wins.
 */
export async function copyCounters(
  doc: DynamoDBDocumentClient,
  table: string,
  counters: readonly Counter[],
  nowMs: number,
  tally: CopyTally,
): Promise<void> {
  const live = counters.filter((c) => !isExpired(c, nowMs));
  const keys = live.map((c) => usageKey(counterWidgetId(c), counterDay(c)));
  const histories = await batchGet(doc, table, keys, 'pk, sk, digest');
  const digests = new Map(histories.map((h) => [`${h.pk}|${h.sk}`, h.digest as string | undefined]));
  const copies: UsageRecord[] = [];
  live.forEach((counter, i) => {
    const key = keys[i]!;
    const digest = usageDigest(counter);
    const copiedBefore = digests.has(`${key.pk}|${key.sk}`);
    if (copiedBefore && digests.get(`${key.pk}|${key.sk}`) === digest) {
      tally.daysCurrent++;
      return;
    }
    if (copiedBefore) tally.daysRecopied++;
    else tally.daysCopied++;
    const [widgetId, day] = [counterWidgetId(counter), counterDay(counter)];
    const expiresAt = utcDayStart(day) / 1000 + (USAGE_RETENTION_DAYS + 1) * DAY_SECONDS;
    copies.push({ ...key, widgetId, day, ...usageFigures(counter), expiresAt, digest });
  });
  // The usage roster is read only for widgets with something to copy: a no-op run writes and reads less.
  const widgets = [...new Set(copies.map((c) => c.widgetId))];
  const roster = await batchGet(doc, table, widgets.map(usageRosterKey), 'widgetId, expiresAt');
  const onRoster = new Map(roster.map((r) => [r.widgetId as string, r.expiresAt as number]));
  const rosterPuts = widgets
    .map((widgetId) => usageRosterEntry(widgetId, nowMs, onRoster.get(widgetId)))
    .filter((entry) => entry !== undefined);
  tally.rosterWrites += rosterPuts.length;
  await batchPutItems(doc, table, [...copies, ...rosterPuts]);
}

/** Reads `keys` (any number) with consistent reads, 100 a request, retrying unprocessed keys. */

/** The copy reads what it compares strongly consistent, every page at once. */
export const batchGet = (
  doc: DynamoDBDocumentClient,
  table: string,
  keys: readonly Key[],
  projection: string | ReturnType<typeof projectionOf>,
) => batchGetItems(doc, table, keys, { projection, consistentRead: true, inFlight: Number.POSITIVE_INFINITY });
