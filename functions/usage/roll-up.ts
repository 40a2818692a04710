import { type DynamoDBDocumentClient, GetCommand, paginateQuery, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { BATCH_GET_KEYS } from '../records/batch';
import { activeWidgetPages } from './active-roster';
import { forEachConcurrently } from './concurrently';
import { batchGet, COUNTER_PROJECTION, type CopyTally, type Counter, copyCounters } from './copy-days';
import { COUNTER_RETENTION_DAYS, counterKey, ROLL_UP_STATE_KEY } from './counter-record';
import { addUtcDays, utcDay } from './day';
import { configuredWidgetPages, readUsageRoster } from './roster';

export interface RollUpOptions {
  doc: DynamoDBDocumentClient;
  table: string;
  /** The clock that decides which days are finished (injected by tests). */
  now?: () => number;
  /** Widgets worked on at once by the full sweep. */
  concurrency?: number;
  /** Widgets read per page (of a day roster or the `managed` index) and copied per batch. */
  pageSize?: number;
  /** Asked before each batch; true stops the run early (the next run catches up). */
  shouldStop?: () => boolean;
}

/** What one run did; logged as one line. */
export interface RollUpSummary extends CopyTally {
  job: 'quota-reset';
  /** The UTC day the run counted as today: every earlier day is finished. */
  today: string;
  /** The days whose rosters were read, oldest first; null when there was none to read. */
  fromDay: string | null;
  toDay: string | null;
  /** Widget days listed on those rosters (each one counter read). */
  widgetDays: number;
  /** The first run (no progress recorded yet) also reads every configured and roster widget's counters. */
  fullSweep: boolean;
  /** False when `shouldStop` ended the run before every day was done. */
  complete: boolean;
  ms: number;
}

/**
 * The quota-reset job: copies each finished UTC day's counters into usage history
 * (`USAGE#<id>` / `DAY#<day>`, with the digest of the figures copied). Its work grows with the
 * widgets that had traffic: the day roster (`ACTIVE#<day>`, written by the first write of a
 * widget's day) says whose counters to read, so a widget deleted from the config is copied too.
 * Counters are keyed by day, so today starts at zero without any write here.
 *
 * Idempotent and self-healing: it reads every day from the last one it finished (re-read for a
 * reply admitted before midnight that ended after the run) through yesterday, so missed nights
 * are caught up, and a counter whose digest history already holds is not written again.
 */
export async function rollUpUsage({
  doc,
  table,
  now = Date.now,
  concurrency = 16,
  pageSize = BATCH_GET_KEYS,
  shouldStop = () => false,
}: RollUpOptions): Promise<RollUpSummary> {
  const started = performance.now();
  const nowMs = now();
  const today = utcDay(nowMs);
  const yesterday = addUtcDays(today, -1);
  // The oldest day whose counters have not expired.
  const oldest = addUtcDays(today, -COUNTER_RETENTION_DAYS);
  const doneThrough = await readDoneThrough(doc, table);
  const fromDay = doneThrough !== undefined && doneThrough > oldest ? doneThrough : oldest;
  const summary: RollUpSummary = {
    job: 'quota-reset',
    today,
    fromDay: fromDay <= yesterday ? fromDay : null,
    toDay: fromDay <= yesterday ? yesterday : null,
    widgetDays: 0,
    fullSweep: doneThrough === undefined,
    daysCopied: 0,
    daysRecopied: 0,
    daysCurrent: 0,
    rosterWrites: 0,
    complete: true,
    ms: 0,
  };
  const stopped = () => {
    if (summary.complete && shouldStop()) summary.complete = false;
    return !summary.complete;
  };

  // Widgets the sweep read every counter of are not read again from the rosters.
  const swept = summary.fullSweep
    ? await sweepEveryWidget(doc, table, { nowMs, today, concurrency, pageSize, stopped, summary })
    : new Set<string>();
  let finished: string | undefined;
  for (let day = fromDay; day <= yesterday && !stopped(); day = addUtcDays(day, 1)) {
    for await (const page of activeWidgetPages(doc, table, day, nowMs, pageSize)) {
      if (stopped()) break;
      const widgetIds = page.filter((id) => !swept.has(id));
      summary.widgetDays += widgetIds.length;
      const counters = await batchGet(
        doc,
        table,
        widgetIds.map((id) => counterKey(id, day)),
        COUNTER_PROJECTION,
      );
      await copyCounters(doc, table, counters as Counter[], nowMs, summary);
    }
    if (summary.complete) finished = day;
  }
  if (finished !== undefined && (doneThrough === undefined || finished > doneThrough))
    await recordDoneThrough(doc, table, finished);
  summary.ms = Math.round(performance.now() - started);
  return summary;
}

const readDoneThrough = async (doc: DynamoDBDocumentClient, table: string) =>
  (await doc.send(new GetCommand({ TableName: table, Key: ROLL_UP_STATE_KEY, ConsistentRead: true }))).Item
    ?.doneThrough as string | undefined;

/** Only moves forward, so an older run finishing late cannot make the next one skip days. */
async function recordDoneThrough(doc: DynamoDBDocumentClient, table: string, day: string): Promise<void> {
  try {
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: ROLL_UP_STATE_KEY,
        UpdateExpression: 'SET doneThrough = :day',
        ConditionExpression: 'attribute_not_exists(doneThrough) OR doneThrough < :day',
        ExpressionAttributeValues: { ':day': day },
      }),
    );
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
  }
}

interface SweepContext {
  nowMs: number;
  today: string;
  concurrency: number;
  pageSize: number;
  stopped: () => boolean;
  summary: RollUpSummary;
}

/**
 * Once, before any progress is recorded: counters written before day rosters existed are found
 * the old way, per configured widget and per widget on the usage roster (deleted from the config).
 */
async function sweepEveryWidget(doc: DynamoDBDocumentClient, table: string, context: SweepContext) {
  const { nowMs, concurrency, pageSize, stopped, summary } = context;
  const seen = new Set<string>();
  const sweep = (widgetIds: string[]) =>
    forEachConcurrently(widgetIds, concurrency, async (widgetId) => {
      if (seen.has(widgetId) || stopped()) return;
      await copyCounters(doc, table, await finishedCounters(doc, table, widgetId, context.today), nowMs, summary);
      seen.add(widgetId);
    });
  for await (const page of configuredWidgetPages(doc, table, pageSize)) await sweep(page.map((w) => w.widgetId));
  await sweep([...(await readUsageRoster(doc, table, nowMs)).keys()]);
  return seen;
}

/** The widget's counters of days before `today` (expired ones are dropped by the copy). */
async function finishedCounters(doc: DynamoDBDocumentClient, table: string, widgetId: string, today: string) {
  const counters: Counter[] = [];
  const pages = paginateQuery(
    { client: doc },
    {
      TableName: table,
      KeyConditionExpression: 'pk = :pk AND #sk BETWEEN :first AND :last',
      ...COUNTER_PROJECTION,
      ExpressionAttributeValues: {
        ':pk': counterKey(widgetId, '').pk,
        ':first': 'DAY#0000',
        ':last': counterKey(widgetId, addUtcDays(today, -1)).sk,
      },
      ConsistentRead: true,
    },
  );
  for await (const page of pages) counters.push(...((page.Items ?? []) as Counter[]));
  return counters;
}
