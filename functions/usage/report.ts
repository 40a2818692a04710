import { type DynamoDBDocumentClient, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { activeWidgetPages } from './active-roster';
import { forEachConcurrently } from './concurrently';
import { type CounterRecord, counterKey, usageKey } from './counter-record';
import { addUsage, noUsage, projectionOf, USAGE_NUMBERS, type UsageFigures, usageFigures } from './daily-usage';
import { utcDay, utcDaysEndingOn } from './day';
import { type ConfiguredWidget, configuredWidgetPages, readUsageRoster } from './roster';

export interface UsageReportOptions {
  doc: DynamoDBDocumentClient;
  table: string;
  /** How many UTC days, ending today. */
  days?: number;
  /** Only this widget. */
  widgetId?: string;
  now?: () => number;
  concurrency?: number;
  /** Widgets to list even if the table holds no record of them yet (the local config). */
  declaredWidgets?: readonly ConfiguredWidget[];
  /** Called after each widget is read. */
  onProgress?: (done: number, total: number) => void;
}

/** One widget's figures for one UTC day, and where they came from. */
export interface DayUsage extends UsageFigures {
  day: string;
  /** `counter`: the live counter (today, or a day not yet rolled up); `history`: the quota-reset copy. */
  source: 'counter' | 'history' | 'none';
}

export interface WidgetUsage {
  widgetId: string;
  name: string | null;
  /** `deleted`: no longer in the config, listed from its usage history. */
  status: ConfiguredWidget['status'] | 'deleted';
  days: DayUsage[];
  totals: UsageFigures;
}

export interface UsageReport {
  generatedAt: string;
  /** The UTC days covered, oldest first (the last one is today, still counting). */
  days: string[];
  widgets: WidgetUsage[];
  totals: UsageFigures;
}

type StoredUsage = Partial<UsageFigures> & Pick<CounterRecord, 'sk' | 'expiresAt'>;

const USAGE_PROJECTION = projectionOf(['sk', 'expiresAt', 'refusals', ...USAGE_NUMBERS]);

/**
 * Usage per widget per UTC day for the last `days` days: the live counter where one exists
 * (today, days not rolled up yet, or days changed after their roll-up), else the usage history,
 * so the figures are right whether or not the quota-reset job has run. Lists the config's
 * widgets and, when they have usage in the window, widgets deleted from it.
 */
export async function readUsageReport({
  doc,
  table,
  days = 7,
  widgetId,
  now = Date.now,
  concurrency = 16,
  declaredWidgets = [],
  onProgress,
}: UsageReportOptions): Promise<UsageReport> {
  const nowMs = now();
  const window = utcDaysEndingOn(utcDay(nowMs), days);
  const candidates = await listCandidates(doc, table, nowMs, declaredWidgets, window);
  const wanted =
    widgetId === undefined
      ? [...candidates.values()]
      : [candidates.get(widgetId) ?? { widgetId, name: null, status: 'deleted' as const }];

  const widgets: WidgetUsage[] = [];
  let done = 0;
  await forEachConcurrently(wanted, concurrency, async (widget) => {
    const [history, counters] = await Promise.all([
      readDays(doc, table, usageKey(widget.widgetId, '').pk, window),
      readDays(doc, table, counterKey(widget.widgetId, '').pk, window),
    ]);
    const usage = widgetUsage(widget, window, history, counters, nowMs);
    if (widget.status !== 'deleted' || usage.days.some((d) => d.source !== 'none')) widgets.push(usage);
    onProgress?.(++done, wanted.length);
  });
  widgets.sort(
    (a, b) => Number(a.status === 'deleted') - Number(b.status === 'deleted') || (a.widgetId < b.widgetId ? -1 : 1),
  );
  return {
    generatedAt: new Date(nowMs).toISOString(),
    days: window,
    widgets,
    totals: widgets.reduce((total, w) => addUsage(total, w.totals), noUsage()),
  };
}

/**
 * The config's widgets (table records, then declared ones), then widgets deleted from it: those
 * on the usage roster, and those on the day rosters of `activeDays` (used, not yet rolled up).
 */
export async function listCandidates(
  doc: DynamoDBDocumentClient,
  table: string,
  nowMs: number,
  declared: readonly ConfiguredWidget[],
  activeDays: readonly string[] = [],
) {
  const candidates = new Map<string, Pick<WidgetUsage, 'widgetId' | 'name' | 'status'> & { retentionDays?: number }>();
  for await (const page of configuredWidgetPages(doc, table))
    for (const widget of page) candidates.set(widget.widgetId, widget);
  for (const widget of declared) if (!candidates.has(widget.widgetId)) candidates.set(widget.widgetId, widget);
  const deleted = (widgetId: string) => {
    if (!candidates.has(widgetId)) candidates.set(widgetId, { widgetId, name: null, status: 'deleted' });
  };
  for (const widgetId of (await readUsageRoster(doc, table, nowMs)).keys()) deleted(widgetId);
  for (const day of activeDays)
    for await (const page of activeWidgetPages(doc, table, day, nowMs)) page.forEach(deleted);
  return candidates;
}

async function readDays(
  doc: DynamoDBDocumentClient,
  table: string,
  pk: string,
  window: string[],
): Promise<StoredUsage[]> {
  const items: StoredUsage[] = [];
  const pages = paginateQuery(
    { client: doc },
    {
      TableName: table,
      KeyConditionExpression: 'pk = :pk AND #sk BETWEEN :first AND :last',
      ExpressionAttributeValues: { ':pk': pk, ':first': `DAY#${window[0]}`, ':last': `DAY#${window.at(-1)}` },
      ...USAGE_PROJECTION,
    },
  );
  for await (const page of pages) items.push(...((page.Items ?? []) as StoredUsage[]));
  return items;
}

function widgetUsage(
  widget: Pick<WidgetUsage, 'widgetId' | 'name' | 'status'>,
  window: string[],
  history: StoredUsage[],
  counters: StoredUsage[],
  nowMs: number,
): WidgetUsage {
  const byDay = (items: StoredUsage[]) =>
    new Map(
      items
        .filter((i) => !(typeof i.expiresAt === 'number' && i.expiresAt * 1000 <= nowMs))
        .map((i) => [i.sk.slice('DAY#'.length), i]),
    );
  const historyByDay = byDay(history);
  const counterByDay = byDay(counters);
  const days = window.map((day): DayUsage => {
    const counter = counterByDay.get(day);
    if (counter) return { day, source: 'counter', ...usageFigures(counter) };
    const copy = historyByDay.get(day);
    if (copy) return { day, source: 'history', ...usageFigures(copy) };
    return { day, source: 'none', ...noUsage() };
  });
  return {
    widgetId: widget.widgetId,
    name: widget.name,
    status: widget.status,
    days,
    totals: days.reduce((total, day) => addUsage(total, usageFigures(day)), noUsage()),
  };
}
