import { BatchGetCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { usageRosterKey } from '../../functions/usage/counter-record';
import { addUtcDays } from '../../functions/usage/day';
import { rollUpUsage } from '../../functions/usage/roll-up';
import { at, startUsageTable, TABLE, type UsageTable } from './usage-table';

let table: UsageTable;
beforeEach(async () => {
  table = await startUsageTable();
});
afterEach(async () => {
  await table.close();
});

const runAt = (iso: string, doc: DynamoDBDocumentClient = table.doc) =>
  rollUpUsage({ doc, table: TABLE, now: () => at(iso) });
const figures = {
  sessions: 4,
  messages: 200,
  inputTokens: 5200,
  outputTokens: 2100,
  costUsd: 0.0123,
  refusals: { widget_daily_cap_exceeded: 3 },
};

test('at midnight the finished day moves to history and the new day has no counter yet', async () => {
  await table.putWidget('docs-bot');
  await table.putCounter('docs-bot', at('2026-11-24T23:59:30Z'), figures);

  const summary = await runAt('2026-11-25T00:00:00Z');

  expect(summary).toMatchObject({ today: '2026-11-25', daysCopied: 1, daysCurrent: 0, complete: true });
  expect(await table.history('docs-bot', '2026-11-24')).toEqual({
    pk: 'USAGE#docs-bot',
    sk: 'DAY#2026-11-24',
    widgetId: 'docs-bot',
    day: '2026-11-24',
    ...figures,
    expiresAt: at('2026-11-24T00:00:00Z') / 1000 + 401 * 86_400,
    digest: expect.any(String),
  });
  expect(await table.counter('docs-bot', '2026-11-25')).toBeUndefined();
});

test("today's counter is never copied, even when the job runs late in the day", async () => {
  await table.putWidget('docs-bot');
  await table.putCounter('docs-bot', at('2026-11-25T09:00:00Z'), { messages: 7 });

  const summary = await runAt('2026-11-25T18:00:00Z');

  expect(summary.daysCopied).toBe(0);
  expect(await table.history('docs-bot', '2026-11-25')).toBeUndefined();
});

test('running twice gives the same history and the second run copies nothing', async () => {
  await table.putWidget('docs-bot');
  await table.putCounter('docs-bot', at('2026-11-24T12:00:00Z'), figures);

  await runAt('2026-11-25T00:00:00Z');
  const first = await table.allHistory('docs-bot');
  const second = await runAt('2026-11-25T00:00:01Z');

  expect(second).toMatchObject({ daysCopied: 0, daysRecopied: 0, daysCurrent: 1 });
  expect(await table.allHistory('docs-bot')).toEqual(first);
});

test('after a missed run the next one catches up every finished day and leaves today alone', async () => {
  await table.putWidget('docs-bot');
  await table.putCounter('docs-bot', at('2026-11-23T10:00:00Z'), { messages: 200 });
  await table.putCounter('docs-bot', at('2026-11-24T10:00:00Z'), { messages: 150 });
  await table.putCounter('docs-bot', at('2026-11-25T00:00:02Z'), { messages: 1 });

  const summary = await runAt('2026-11-25T00:05:00Z');

  expect(summary.daysCopied).toBe(2);
  expect((await table.allHistory('docs-bot')).map((h) => [h.day, h.messages])).toEqual([
    ['2026-11-23', 200],
    ['2026-11-24', 150],
  ]);
  expect(await table.history('docs-bot', '2026-11-25')).toBeUndefined();
});

test('a reply that finishes after midnight is copied again by the next run', async () => {
  await table.putWidget('docs-bot');
  await table.putCounter('docs-bot', at('2026-11-24T23:59:58Z'), {
    messages: 10,
    inputTokens: 900,
    outputTokens: 0,
    costUsd: 0.001,
  });
  await runAt('2026-11-25T00:00:00Z');

  // The stream admitted at 23:59:58 ends at 00:00:04 and adds its tokens to the day it was admitted on.
  await table.addToCounter('docs-bot', '2026-11-24', { outputTokens: 350, costUsd: 0.0014 });
  const summary = await runAt('2026-11-26T00:00:00Z');

  expect(summary).toMatchObject({ daysCopied: 0, daysRecopied: 1 });
  expect(await table.history('docs-bot', '2026-11-24')).toMatchObject({
    messages: 10,
    inputTokens: 900,
    outputTokens: 350,
    costUsd: 0.0024,
  });
});

test('a write that lands after the copy read the counter is copied by the next run', async () => {
  await table.putCounter('docs-bot', at('2026-11-24T23:59:58Z'), { messages: 10, outputTokens: 100 });
  let raced = false;
  // The real client with `send` wrapped (still a DynamoDBDocumentClient, as paginators require).
  const racingDoc = Object.assign(Object.create(table.doc) as DynamoDBDocumentClient, {
    send: async (command: object) => {
      const result = await table.doc.send(command as never);
      if (!raced && command instanceof BatchGetCommand) {
        raced = true;
        await table.addToCounter('docs-bot', '2026-11-24', { outputTokens: 40 });
      }
      return result;
    },
  });

  expect((await runAt('2026-11-25T00:00:00Z', racingDoc)).daysCopied).toBe(1);
  // The next run re-reads the last day it finished, sees the figures changed, and copies them.
  const next = await runAt('2026-11-26T00:00:00Z');

  expect(raced).toBe(true);
  expect(next).toMatchObject({ fromDay: '2026-11-24', toDay: '2026-11-25', daysRecopied: 1 });
  expect(await table.history('docs-bot', '2026-11-24')).toMatchObject({ outputTokens: 140 });
  expect(await runAt('2026-11-26T00:01:00Z')).toMatchObject({ daysCopied: 0, daysRecopied: 0 });
});

test('a widget deleted from the config still has its last days copied', async () => {
  await table.putWidget('docs-bot');
  await table.putWidget('old-bot');
  await runAt('2026-11-24T00:00:00Z');
  await table.putCounter('old-bot', at('2026-11-24T15:00:00Z'), { messages: 42 });
  await table.deleteWidget('old-bot');

  const summary = await runAt('2026-11-25T00:00:00Z');

  expect(summary).toMatchObject({ widgetDays: 1, daysCopied: 1, fullSweep: false });
  expect(await table.history('old-bot', '2026-11-24')).toMatchObject({ messages: 42 });
});

test('the usage roster is written once per widget with usage, not on every run', async () => {
  await table.putWidget('docs-bot');
  await table.putWidget('idle-bot');
  const runs = [];
  for (const day of ['2026-11-24', '2026-11-25', '2027-01-10']) {
    await table.putCounter('docs-bot', at(`${day}T12:00:00Z`), { messages: 1 });
    runs.push(await runAt(`${day}T23:59:59Z`), await runAt(`${addUtcDays(day, 1)}T00:00:00Z`));
  }

  expect(runs.map((r) => r.rosterWrites)).toEqual([0, 1, 0, 0, 0, 1]);
  const idle = await table.doc.send(new GetCommand({ TableName: TABLE, Key: usageRosterKey('idle-bot') }));
  expect(idle.Item).toBeUndefined();
});

test('counters whose expiry has passed are ignored, as by every reader', async () => {
  await table.putWidget('docs-bot');
  await table.putCounter('docs-bot', at('2026-11-20T10:00:00Z'), { messages: 5 });

  // Counters expire three days after their day ends; dynalite keeps them, DynamoDB deletes them later.
  const summary = await runAt('2026-11-24T00:00:01Z');

  expect(summary.daysCopied).toBe(0);
  expect(await table.history('docs-bot', '2026-11-20')).toBeUndefined();
});

test('the first run also sweeps the configured widgets page by page, for counters older than rosters', async () => {
  const ids = Array.from({ length: 60 }, (_, i) => `w-${String(i).padStart(3, '0')}`);
  for (const id of ids) {
    await table.putWidget(id);
    await table.putCounter(id, at('2026-11-24T12:00:00Z'), { messages: Number(id.slice(2)) + 1 }, { listed: false });
  }
  const run = (iso: string) =>
    rollUpUsage({ doc: table.doc, table: TABLE, now: () => at(iso), pageSize: 7, concurrency: 4 });

  const first = await run('2026-11-25T00:00:00Z');
  const second = await run('2026-11-25T00:01:00Z');

  expect(first).toMatchObject({ fullSweep: true, daysCopied: 60, complete: true });
  expect(second).toMatchObject({ fullSweep: false, widgetDays: 0, daysCopied: 0, daysCurrent: 0 });
  for (const id of ['w-000', 'w-031', 'w-059'])
    expect((await table.history(id, '2026-11-24'))?.messages).toBe(Number(id.slice(2)) + 1);
});

test('a run stopped early says so, and the next run finishes the rest', async () => {
  for (const id of ['a', 'b', 'c', 'd']) {
    await table.putWidget(id);
    await table.putCounter(id, at('2026-11-24T12:00:00Z'), { messages: 1 });
  }
  let budget = 2;

  const partial = await rollUpUsage({
    doc: table.doc,
    table: TABLE,
    now: () => at('2026-11-25T00:00:00Z'),
    concurrency: 1,
    shouldStop: () => budget-- <= 0,
  });
  const rest = await runAt('2026-11-25T00:10:00Z');

  expect(partial).toMatchObject({ daysCopied: 2, complete: false });
  expect(rest).toMatchObject({ daysCopied: 2, daysCurrent: 2, complete: true });
});

test('roster entries of other widgets and history items are never mistaken for counters', async () => {
  await table.putWidget('docs-bot');
  await table.doc.send(
    new PutCommand({ TableName: TABLE, Item: { ...usageRosterKey('ghost'), widgetId: 'ghost', expiresAt: 1 } }),
  );
  await table.putCounter('docs-bot', at('2026-11-24T12:00:00Z'), { messages: 3 });

  const summary = await runAt('2026-11-25T00:00:00Z');

  // The expired roster entry is not a widget; the history written is not read back as a counter.
  expect(summary).toMatchObject({ daysCopied: 1, daysCurrent: 0 });
  expect(await table.allHistory('ghost')).toEqual([]);
});
