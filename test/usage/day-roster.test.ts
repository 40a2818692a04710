import { type DynamoDBDocumentClient, GetCommand, type QueryCommand } from '@aws-sdk/lib-dynamodb';
import { admitMessage } from '../../functions/limits/admit-message';
import { admitSessionStart } from '../../functions/limits/admit-session';
import { createUsageCounters } from '../../functions/limits/usage-counters';
import { activeRosterKey } from '../../functions/usage/counter-record';
import { readUsageReport } from '../../functions/usage/report';
import { rollUpUsage } from '../../functions/usage/roll-up';
import { at, startUsageTable, TABLE, type UsageTable } from './usage-table';

// The day roster on dynalite: written by the write that creates a widget's day counter, and
// the only list of widgets the quota-reset job reads once it has recorded its progress.
let table: UsageTable;
let sent: { name: string; input: Record<string, unknown> }[];
let counted: DynamoDBDocumentClient;
beforeEach(async () => {
  table = await startUsageTable();
  sent = [];
  // The real client with `send` wrapped (still a DynamoDBDocumentClient, as paginators require).
  counted = Object.assign(Object.create(table.doc) as DynamoDBDocumentClient, {
    send: (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      sent.push({ name: command.constructor.name.replace(/Command$/, ''), input: command.input });
      return table.doc.send(command as never);
    },
  });
});
afterEach(async () => {
  await table.close();
});

const LIMITS = { perMinute: 10, perDay: 200 };
const message = (widgetId: string, iso: string) =>
  admitMessage({ doc: counted, table: TABLE, widgetId, limits: LIMITS, now: at(iso) });
const sessionStart = (widgetId: string, iso: string) =>
  admitSessionStart({ doc: counted, table: TABLE, widgetId, limits: LIMITS, visitor: 'v1', now: at(iso) });
const runAt = (iso: string) => rollUpUsage({ doc: counted, table: TABLE, now: () => at(iso) });
const requests = async (work: () => Promise<unknown>) => {
  sent = [];
  await work();
  return sent.map((r) => r.name);
};
const listed = async (day: string, widgetId: string) =>
  (await table.doc.send(new GetCommand({ TableName: TABLE, Key: activeRosterKey(day, widgetId) }))).Item;

test("the first message of a widget's day lists the day; later messages stay one request", async () => {
  expect(await requests(() => message('docs-bot', '2026-11-24T10:00:05Z'))).toEqual([
    'Update', // the fast path finds no counter
    'Get',
    'Update', // creates the counter
    'Put', // lists the day
  ]);
  expect(await requests(() => message('docs-bot', '2026-11-24T10:00:20Z'))).toEqual(['Update']);
  // A new minute: dynalite returns no item with the failed condition (DynamoDB does), hence the Get.
  expect(await requests(() => message('docs-bot', '2026-11-24T10:01:05Z'))).toEqual(['Update', 'Get', 'Update']);
  expect(await listed('2026-11-24', 'docs-bot')).toEqual({
    ...activeRosterKey('2026-11-24', 'docs-bot'),
    widgetId: 'docs-bot',
    expiresAt: (await table.counter('docs-bot', '2026-11-24'))!.expiresAt,
  });
});

test('a session start or a refusal that creates the counter lists the day; the next message does not', async () => {
  expect(await requests(() => sessionStart('docs-bot', '2026-11-24T09:00:00Z'))).toEqual(['Update', 'Update', 'Put']);
  expect(await requests(() => message('docs-bot', '2026-11-24T09:00:10Z'))).toEqual(['Update', 'Get', 'Update']);
  expect(await requests(() => sessionStart('docs-bot', '2026-11-24T09:00:20Z'))).toEqual(['Update', 'Update']);

  const counters = createUsageCounters({ doc: counted, table: TABLE });
  expect(await requests(() => counters.refused('quiet-bot', 'widget_rate_limit', at('2026-11-24T09:30:00Z')))).toEqual([
    'Update',
    'Update',
    'Put',
  ]);
  expect(await requests(() => counters.refused('quiet-bot', 'widget_rate_limit', at('2026-11-24T09:31:00Z')))).toEqual([
    'Update',
  ]);
  expect(await listed('2026-11-24', 'docs-bot')).toBeDefined();
  expect(await listed('2026-11-24', 'quiet-bot')).toBeDefined();
});

test('after the first run only the widgets on the day roster are read', async () => {
  for (let i = 0; i < 40; i++) await table.putWidget(`w-${i}`);
  await runAt('2026-11-24T00:00:00Z');
  for (const id of ['w-3', 'w-17', 'w-38']) await message(id, '2026-11-24T12:00:00Z');

  sent = [];
  const summary = await runAt('2026-11-25T00:00:00Z');

  expect(summary).toMatchObject({ fullSweep: false, widgetDays: 3, daysCopied: 3, complete: true });
  const queries = sent.filter((r) => r.name === 'Query').map((r) => (r.input as QueryCommand['input']).IndexName);
  expect(queries).toEqual([undefined, undefined]); // the rosters of 11-23 (re-read) and 11-24, not the index
  const counterKeys = sent
    .filter((r) => r.name === 'BatchGet')
    .flatMap((r) => Object.values(r.input.RequestItems as Record<string, { Keys: { pk: string }[] }>))
    .flatMap((request) => request.Keys.map((k) => k.pk))
    .filter((pk) => pk.startsWith('COUNTER#'));
  expect(counterKeys.sort()).toEqual(['COUNTER#w-17', 'COUNTER#w-3', 'COUNTER#w-38']);
  expect(sent.length).toBeLessThanOrEqual(10);
});

test('a widget created, used and deleted between two runs still gets its day copied', async () => {
  await table.putWidget('docs-bot');
  await runAt('2026-11-24T00:00:00Z');
  await table.putWidget('flash-bot');
  await sessionStart('flash-bot', '2026-11-24T10:00:00Z');
  const admission = await message('flash-bot', '2026-11-24T10:00:10Z');
  await createUsageCounters({ doc: counted, table: TABLE }).replied(admission, {
    inputTokens: 120,
    outputTokens: 45,
    costUsd: 0.002,
  });
  await table.deleteWidget('flash-bot');

  const before = await readUsageReport({ doc: table.doc, table: TABLE, now: () => at('2026-11-24T23:00:00Z') });
  const summary = await runAt('2026-11-25T00:00:00Z');
  const after = await readUsageReport({ doc: table.doc, table: TABLE, now: () => at('2026-11-25T09:00:00Z') });

  expect(summary).toMatchObject({ widgetDays: 1, daysCopied: 1 });
  expect(await table.history('flash-bot', '2026-11-24')).toMatchObject({
    sessions: 1,
    messages: 1,
    inputTokens: 120,
    outputTokens: 45,
    costUsd: 0.002,
  });
  // Listed as deleted by the report both from its day roster and, after the run, from the usage roster.
  for (const report of [before, after])
    expect(report.widgets.find((w) => w.widgetId === 'flash-bot')).toMatchObject({
      status: 'deleted',
      totals: { messages: 1 },
    });
});

test('missed nights are caught up from the day rosters, and a second run changes nothing', async () => {
  await runAt('2026-11-22T00:00:00Z');
  await message('docs-bot', '2026-11-22T08:00:00Z');
  await message('docs-bot', '2026-11-23T08:00:00Z');
  await message('docs-bot', '2026-11-23T08:00:05Z');
  await message('docs-bot', '2026-11-24T08:00:00Z');

  const caughtUp = await runAt('2026-11-25T00:00:00Z');
  const history = await table.allHistory('docs-bot');
  const again = await runAt('2026-11-25T00:05:00Z');

  expect(caughtUp).toMatchObject({ fromDay: '2026-11-21', toDay: '2026-11-24', daysCopied: 3, complete: true });
  expect(history.map((h) => [h.day, h.messages])).toEqual([
    ['2026-11-22', 1],
    ['2026-11-23', 2],
    ['2026-11-24', 1],
  ]);
  expect(again).toMatchObject({ fromDay: '2026-11-24', daysCopied: 0, daysRecopied: 0, daysCurrent: 1 });
  expect(await table.allHistory('docs-bot')).toEqual(history);
});
