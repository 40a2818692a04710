import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { forEachConcurrently } from './concurrently';
import { type CounterRecord, counterKey, USAGE_RETENTION_DAYS, type UsageRecord, usageKey } from './counter-record';
import { projectionOf, USAGE_NUMBERS, usageDigest, usageFigures } from './daily-usage';
import { addUtcDays, utcDay, utcDayStart } from './day';
import { configuredWidgetPages, keepOnUsageRoster, readUsageRoster } from './roster';

export interface RollUpOptions {
  doc: DynamoDBDocumentClient;
  table: string;
  /** The clock that decides which days are finished (injected by tests). */
  now?: () => number;
  /** Widgets worked on at once. */
  concurrency?: number;
  /** Widgets read from the `managed` index per page. */
  pageSize?: number;
  /** Asked before each widget; true stops the run early (the next run catches up). */
  shouldStop?: () => boolean;
}

/** What one run did; logged as one line. */
export interface RollUpSummary {
  job: 'quota-reset';
  /** The UTC day the run counted as today: every earlier day is finished. */
  today: string;
  /** Widgets in the config, and widgets deleted from it that are still on the usage roster. */
  widgets: number;
  deletedWidgets: number;
  /** Finished days copied into history for the first time, again after a late write, or found already current. */
  daysCopied: number;
  daysRecopied: number;
  daysCurrent: number;
  /** Counters that kept changing while the run copied them; the next run copies them again. */
  daysChanging: number;
  rosterWrites: number;
  /** False when `shouldStop` ended the run before every widget was seen. */
  complete: boolean;
  ms: number;
}

type Counter = Pick<CounterRecord, 'sk' | 'expiresAt' | 'rolledUpDigest' | (typeof USAGE_NUMBERS)[number] | 'refusals'>;
type CopyResult = 'copied' | 'recopied' | 'current' | 'changing' | 'gone';

const DAY_SECONDS = 86_400;
const COPY_ATTEMPTS = 3;
/** Every attribute a roll-up reads from a counter. */
const COUNTER_PROJECTION = projectionOf(['sk', 'expiresAt', 'rolledUpDigest', 'refusals', ...USAGE_NUMBERS]);

/**
 * The quota-reset job: copies every finished UTC day's counter of every widget into usage
 * history (`USAGE#<id>` / `DAY#<day>`) and marks the counter with the digest of what it
 * copied. Counters are keyed by day, so today starts at zero without any write here.
 *
 * Idempotent and self-healing: a counter whose figures still match its digest is skipped, one
 * never copied or changed since (a reply that finished after midnight adds its tokens to the
 * day it was admitted on) is copied again, and every earlier day still in the table is caught
 * up. Widgets come from the `managed` index a page at a time, plus the usage roster for
 * widgets deleted from the config; per widget one Query reads its finished counters.
 */
export async function rollUpUsage({
  doc,
  table,
  now = Date.now,
  concurrency = 16,
  pageSize = 250,
  shouldStop = () => false,
}: RollUpOptions): Promise<RollUpSummary> {
  const started = performance.now();
  const nowMs = now();
  const today = utcDay(nowMs);
  const summary: RollUpSummary = {
    job: 'quota-reset',
    today,
    widgets: 0,
    deletedWidgets: 0,
    daysCopied: 0,
    daysRecopied: 0,
    daysCurrent: 0,
    daysChanging: 0,
    rosterWrites: 0,
    complete: true,
    ms: 0,
  };
  const tally: Record<CopyResult, (() => void) | undefined> = {
    copied: () => summary.daysCopied++,
    recopied: () => summary.daysRecopied++,
    current: () => summary.daysCurrent++,
    changing: () => summary.daysChanging++,
    gone: undefined,
  };
  const rollUpWidget = async (widgetId: string) => {
    for (const counter of await finishedCounters(doc, table, widgetId, today, nowMs)) {
      tally[await copyCounter(doc, table, widgetId, counter, nowMs)]?.();
    }
  };
  const unlessStopped = (work: (widgetId: string) => Promise<void>) => async (widgetId: string) => {
    if (shouldStop()) {
      summary.complete = false;
      return;
    }
    await work(widgetId);
  };

  const roster = await readUsageRoster(doc, table, nowMs);
  for await (const page of configuredWidgetPages(doc, table, pageSize)) {
    summary.widgets += page.length;
    await forEachConcurrently(
      page.map((w) => w.widgetId),
      concurrency,
      unlessStopped(async (widgetId) => {
        if (await keepOnUsageRoster(doc, table, widgetId, nowMs, roster.get(widgetId))) summary.rosterWrites++;
        roster.delete(widgetId);
        await rollUpWidget(widgetId);
      }),
    );
  }
  // What is left on the roster was deleted from the config; its last days still need copying.
  // (Unless the run stopped early: then the unseen configured widgets are left in it too.)
  summary.deletedWidgets = summary.complete ? roster.size : 0;
  await forEachConcurrently([...roster.keys()], concurrency, unlessStopped(rollUpWidget));
  summary.ms = Math.round(performance.now() - started);
  return summary;
}

/** The widget's counters of days before `today` that have not expired (readers ignore expired items). */
async function finishedCounters(
  doc: DynamoDBDocumentClient,
  table: string,
  widgetId: string,
  today: string,
  nowMs: number,
) {
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
  for await (const page of pages) {
    for (const item of (page.Items ?? []) as Counter[]) if (!isExpired(item, nowMs)) counters.push(item);
  }
  return counters;
}

/**
 * Copies one counter into history, then marks it with the digest of what was copied — on the
 * condition that the counter still holds those figures. If a write slipped in between, it
 * re-reads and copies again, so the last mark always follows a copy of the same figures.
 */
async function copyCounter(
  doc: DynamoDBDocumentClient,
  table: string,
  widgetId: string,
  first: Counter,
  nowMs: number,
): Promise<CopyResult> {
  const wasCopied = first.rolledUpDigest !== undefined;
  let counter: Counter | undefined = first;
  for (let attempt = 0; attempt < COPY_ATTEMPTS; attempt++) {
    if (!counter || isExpired(counter, nowMs)) return 'gone';
    const digest = usageDigest(counter);
    // Only the first look may skip: after a lost race our own copy may be the stale one.
    if (attempt === 0 && digest === counter.rolledUpDigest) return 'current';
    const day = counter.sk.slice('DAY#'.length);
    const history: UsageRecord = {
      ...usageKey(widgetId, day),
      widgetId,
      day,
      ...usageFigures(counter),
      expiresAt: utcDayStart(day) / 1000 + (USAGE_RETENTION_DAYS + 1) * DAY_SECONDS,
    };
    await doc.send(new PutCommand({ TableName: table, Item: history }));
    try {
      await doc.send(
        new UpdateCommand({
          TableName: table,
          Key: counterKey(widgetId, day),
          UpdateExpression: 'SET rolledUpAt = :at, rolledUpDigest = :digest',
          ...unchangedCondition(counter, { ':at': nowMs, ':digest': digest }),
        }),
      );
      return wasCopied ? 'recopied' : 'copied';
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
    const { Item } = await doc.send(
      new GetCommand({ TableName: table, Key: counterKey(widgetId, day), ConsistentRead: true }),
    );
    counter = Item as Counter | undefined;
  }
  return 'changing';
}

/**
 * A condition that holds only while the counter's usage figures are those of `counter`
 * (DynamoDB compares scalars; the refusals map is compared by size and entry by entry).
 */
function unchangedCondition(counter: Counter, values: Record<string, unknown>) {
  const parts = ['attribute_exists(pk)'];
  const names: Record<string, string> = {};
  const bind = (name: string, value: unknown) => {
    values[name] = value;
    return name;
  };
  for (const name of USAGE_NUMBERS) {
    const value = counter[name];
    names[`#${name}`] = name;
    parts.push(value === undefined ? `attribute_not_exists(#${name})` : `#${name} = ${bind(`:${name}`, value)}`);
  }
  if (counter.refusals === undefined) parts.push('attribute_not_exists(refusals)');
  else {
    parts.push(`size(refusals) = ${bind(':refusalCodes', Object.keys(counter.refusals).length)}`);
    Object.entries(counter.refusals).forEach(([code, count], i) => {
      names[`#r${i}`] = code;
      parts.push(`refusals.#r${i} = ${bind(`:r${i}`, count)}`);
    });
  }
  return {
    ConditionExpression: parts.join(' AND '),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

function isExpired(item: Pick<CounterRecord, 'expiresAt'>, nowMs: number): boolean {
  return typeof item.expiresAt === 'number' && item.expiresAt * 1000 <= nowMs;
}
