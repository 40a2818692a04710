import { readFileSync } from 'node:fs';
import { loadPriceTable, PRICE_FILE, priceTableSchema } from '../../infra/cost/prices';

const raw = () => JSON.parse(readFileSync(PRICE_FILE, 'utf8'));

test('the shipped price table names its region and date, and every price its date and an http(s) source', () => {
  const table = loadPriceTable();
  expect(table).toMatchObject({
    region: 'eu-west-1',
    currency: 'USD',
    date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
  });
  const prices = Object.entries(table.prices);
  expect(prices).toHaveLength(20);
  for (const [key, price] of prices) {
    expect([key, price.date]).toEqual([key, expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/)]);
    expect([key, price.source]).toEqual([key, expect.stringMatching(/^https?:\/\/[^/\s]+\//)]);
    expect([key, price.usd > 0, price.unit.length > 0]).toEqual([key, true, true]);
  }
});

test.each<[string, (table: ReturnType<typeof raw>) => void]>([
  ['a price without its source', (t) => delete t.prices.s3Get.source],
  ['a price without its date', (t) => delete t.prices.snsEmail.date],
  ['a price whose source is no URL', (t) => (t.prices.lambdaRequest.source = 'the AWS website')],
  ['a missing price', (t) => delete t.prices.cloudwatchAlarm],
  ['an unknown price', (t) => (t.prices.lambdaEdge = { ...t.prices.lambdaRequest })],
  ['a table without its region', (t) => delete t.region],
  ['a table without its date', (t) => delete t.date],
  ['a price per nothing', (t) => (t.prices.s3Get.per = 0)],
])('the schema refuses %s', (_, edit) => {
  const table = raw();
  edit(table);
  expect(priceTableSchema.safeParse(table).success).toBe(false);
});
