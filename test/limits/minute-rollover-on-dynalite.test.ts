import { PerchError } from '../../functions/errors/perch-error';
import { admitMessage } from '../../functions/limits/admit-message';
import { createDocumentClient } from '../../functions/records/client';
import { ensureTable, type LocalDatabase, startLocalDatabase } from '../../infra/local/database';

// dynalite returns no item with a failed conditional write (DynamoDB does): the admission must
// still roll over minutes and name the right refusal.
let database: LocalDatabase;
const table = 'rollover';
const T0 = Date.UTC(2026, 10, 24, 12, 0, 5);

beforeAll(async () => {
  database = await startLocalDatabase();
  await ensureTable(database.client, table);
});
afterAll(() => database.close());

const admit = (widgetId: string, now: number, limits = { perMinute: 2, perDay: 100 }) =>
  admitMessage({ doc: createDocumentClient(database.client), table, widgetId, limits, now });

const refusal = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PerchError);
  return error as PerchError;
};

test('a new minute admits again after the previous minute filled its limit', async () => {
  await admit('w-minute', T0);
  await admit('w-minute', T0 + 1000);
  expect((await refusal(admit('w-minute', T0 + 2000))).code).toBe('widget_rate_limit');
  // Two minutes later the previous minute is empty: the window is free again.
  await expect(admit('w-minute', T0 + 120_000)).resolves.toMatchObject({ widgetId: 'w-minute' });
});

test('a full day is refused as widget_daily_cap_exceeded with Retry-After to 00:00 UTC', async () => {
  const limits = { perMinute: 100, perDay: 2 };
  await admit('w-day', T0, limits);
  await admit('w-day', T0 + 1000, limits);
  const error = await refusal(admit('w-day', T0 + 2000, limits));
  expect(error.code).toBe('widget_daily_cap_exceeded');
  expect(error.headers['Retry-After']).toBe(String((Date.UTC(2026, 10, 25) - (T0 + 2000)) / 1000));
});

test('the daily cap still names itself in a later minute', async () => {
  const limits = { perMinute: 100, perDay: 1 };
  await admit('w-day-later', T0, limits);
  expect((await refusal(admit('w-day-later', T0 + 180_000, limits))).code).toBe('widget_daily_cap_exceeded');
});
