import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../functions/records/client';
import { MANAGED_BY, widgetKey } from '../functions/records/table';
import { activeRosterKey, counterKey, ROLL_UP_STATE_KEY } from '../functions/usage/counter-record';
import { addUtcDays, utcDay, utcDayStart } from '../functions/usage/day';
import { readUsageReport } from '../functions/usage/report';
import { rollUpUsage } from '../functions/usage/roll-up';
import { ensureTable, startLocalDatabase } from '../infra/local/database';

const TABLE = 'perch-bench';

/**
 * The quota-reset job and the usage report at DESIGN.md's scale: 10,000 widgets (override with
 * PERCH_BENCH_WIDGETS), one in five used yesterday (so on its day roster), in in-memory dynalite,
 * after a night the job already ran. Prints wall time and DynamoDB requests by kind — the
 * requests are what a run costs on AWS, where each is faster.
 */
export default async function usageBench(): Promise<void> {
  const widgets = Number(process.env.PERCH_BENCH_WIDGETS ?? 10_000);
  const db = await startLocalDatabase();
  try {
    await ensureTable(db.client, TABLE);
    const doc = createDocumentClient(db.client);
    const today = utcDay(Date.now());
    const yesterday = addUtcDays(today, -1);
    const ids = Array.from({ length: widgets }, (_, i) => `widget-${String(i).padStart(5, '0')}`);
    const active = ids.filter((_, i) => i % 5 === 0);
    const expiresAt = utcDayStart(today) / 1000 + 4 * 86_400;
    const seedStarted = performance.now();
    await batchPut(doc, [
      ...ids.map((widgetId) => ({
        ...widgetKey(widgetId),
        managedBy: MANAGED_BY,
        widgetId,
        name: widgetId,
        status: 'active',
      })),
      // As the first write of each active widget's day leaves it, and last night's run its progress.
      ...active.map((widgetId) => ({ ...activeRosterKey(yesterday, widgetId), widgetId, expiresAt })),
      { ...ROLL_UP_STATE_KEY, doneThrough: addUtcDays(today, -2) },
      ...active.map((widgetId, i) => ({
        ...counterKey(widgetId, yesterday),
        widgetId,
        day: yesterday,
        sessions: 1 + (i % 7),
        messages: 5 + (i % 50),
        inputTokens: 1000 + i,
        outputTokens: 400 + i,
        costUsd: 0.001 * (i % 13),
        refusals: i % 3 === 0 ? { widget_rate_limit: 1 } : {},
        expiresAt,
      })),
    ]);
    console.log(`seeded ${widgets} widgets, ${active.length} counters for ${yesterday} in ${seconds(seedStarted)}`);

    for (const label of ['first run (copies yesterday)', 'second run (nothing to do)']) {
      const counted = countingClient(doc);
      const summary = await rollUpUsage({ doc: counted.doc, table: TABLE, now: () => Date.now() });
      console.log(
        `quota reset, ${label}: ${(summary.ms / 1000).toFixed(1)} s, ${summary.widgetDays} widget days listed,` +
          ` copied ${summary.daysCopied}, current ${summary.daysCurrent}; ${counted.total()} requests` +
          ` (${counted.describe()})`,
      );
    }

    const counted = countingClient(doc);
    const reportStarted = performance.now();
    const report = await readUsageReport({ doc: counted.doc, table: TABLE, days: 7 });
    console.log(
      `usage report, 7 days: ${seconds(reportStarted)}, ${report.widgets.length}` +
        ` widgets, ${report.totals.messages} messages; requests ${counted.describe()}`,
    );
  } finally {
    await db.close();
  }
}

async function batchPut(doc: DynamoDBDocumentClient, items: Record<string, unknown>[]): Promise<void> {
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      let pending = batches[next++]!.map((Item) => ({ PutRequest: { Item } }));
      while (pending.length > 0) {
        const result = await doc.send(new BatchWriteCommand({ RequestItems: { [TABLE]: pending } }));
        pending = (result.UnprocessedItems?.[TABLE] ?? []) as typeof pending;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/** Wraps the client to count requests by command (QueryCommand → Query). */
function countingClient(doc: DynamoDBDocumentClient) {
  const counts = new Map<string, number>();
  // The real client with `send` wrapped: still a DynamoDBDocumentClient, as paginators require.
  const counting = Object.assign(Object.create(doc) as DynamoDBDocumentClient, {
    send: (command: { constructor: { name: string } }) => {
      const name = command.constructor.name.replace(/Command$/, '');
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return doc.send(command as never);
    },
  });
  return {
    doc: counting,
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    describe: () => [...counts].map(([name, n]) => `${name} ${n}`).join(', '),
  };
}

const seconds = (started: number) => `${((performance.now() - started) / 1000).toFixed(1)} s`;
