import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { PerchError } from '../../functions/errors/perch-error';
import { admitMessage } from '../../functions/limits/admit-message';
import { createDocumentClient } from '../../functions/records/client';
import type { WidgetLimits } from '../../functions/records/table';
import { counterKey, visitorCounterKey } from '../../functions/usage/counter-record';
import { utcDay } from '../../functions/usage/day';
import { ensureTable, type LocalDatabase, startLocalDatabase } from '../../infra/local/database';

// No concurrency admits more than a limit: 200 admissions fired at once against dynalite.
const table = 'limits-concurrency';
const NOW = Date.UTC(2026, 10, 24, 12, 0, 30);
let database: LocalDatabase;
let doc: DynamoDBDocumentClient;

beforeAll(async () => {
  database = await startLocalDatabase();
  await ensureTable(database.client, table);
  doc = createDocumentClient(database.client);
});
afterAll(() => database.close());

async function admitAtOnce(
  count: number,
  widgetId: string,
  limits: WidgetLimits,
  visitorOf: (i: number) => string | undefined = () => undefined,
) {
  const results = await Promise.allSettled(
    Array.from({ length: count }, (_, i) =>
      admitMessage({ doc, table, widgetId, limits, visitor: visitorOf(i), now: NOW }),
    ),
  );
  const refusals = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  return { admitted: count - refusals.length, refusals };
}

const codesOf = (refusals: unknown[]) =>
  new Set(refusals.map((e) => (e instanceof PerchError ? e.code : `not a PerchError: ${String(e)}`)));
const item = async (key: { pk: string; sk: string }) =>
  (await doc.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;

test.each([
  ['perMinute', 'widget_rate_limit', 'w-minute', { perMinute: 10, perDay: 1000 }, { cur: 10, messages: 10 }],
  ['perDay', 'widget_daily_cap_exceeded', 'w-day', { perMinute: 1000, perDay: 10 }, { messages: 10 }],
] as const)(
  '200 simultaneous messages against %s 10 admit exactly 10; the rest are refused %s',
  async (_limit, code, widgetId, limits, counted) => {
    const { admitted, refusals } = await admitAtOnce(200, widgetId, limits);

    expect(admitted).toBe(10);
    expect(codesOf(refusals)).toEqual(new Set([code]));
    expect(await item(counterKey(widgetId, utcDay(NOW)))).toMatchObject(counted);
  },
);

test('200 simultaneous messages from one visitor against perVisitorPerDay 10 admit exactly 10', async () => {
  const { admitted, refusals } = await admitAtOnce(
    200,
    'w-visitor',
    { perMinute: 1000, perDay: 1000, perVisitorPerDay: 10 },
    () => 'visitor-a',
  );

  expect(admitted).toBe(10);
  expect(codesOf(refusals)).toEqual(new Set(['visitor_daily_cap_exceeded']));
  expect(await item(visitorCounterKey('w-visitor', 'visitor-a', utcDay(NOW)))).toMatchObject({ messages: 10 });
  expect(await item(counterKey('w-visitor', utcDay(NOW)))).toMatchObject({ messages: 10 });
});

test('each visitor gets their own daily cap under concurrency', async () => {
  const { admitted } = await admitAtOnce(
    200,
    'w-visitors',
    { perMinute: 1000, perDay: 1000, perVisitorPerDay: 3 },
    (i) => `visitor-${i % 20}`,
  );

  expect(admitted).toBe(60);
  for (const visitor of ['visitor-0', 'visitor-19']) {
    expect(await item(visitorCounterKey('w-visitors', visitor, utcDay(NOW)))).toMatchObject({ messages: 3 });
  }
});

test("a visitor's count is given back when the widget's own limit refuses the message", async () => {
  const { admitted, refusals } = await admitAtOnce(
    200,
    'w-release',
    { perMinute: 5, perDay: 1000, perVisitorPerDay: 50 },
    () => 'visitor-b',
  );

  expect(admitted).toBe(5);
  // While refused messages still hold a visitor count, others may see the visitor's cap as reached.
  expect(
    [...codesOf(refusals)].every((code) => code === 'widget_rate_limit' || code === 'visitor_daily_cap_exceeded'),
  ).toBe(true);
  expect(await item(visitorCounterKey('w-release', 'visitor-b', utcDay(NOW)))).toMatchObject({ messages: 5 });
});
