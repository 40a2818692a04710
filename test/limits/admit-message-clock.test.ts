import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { PerchError } from '../../functions/errors/perch-error';
import { type Admission, admitMessage, refundMessage } from '../../functions/limits/admit-message';
import { createUsageCounters } from '../../functions/limits/usage-counters';
import { createDocumentClient } from '../../functions/records/client';
import type { WidgetLimits } from '../../functions/records/table';
import { counterKey, visitorCounterKey } from '../../functions/usage/counter-record';
import { utcDay } from '../../functions/usage/day';
import { ensureTable, type LocalDatabase, startLocalDatabase } from '../../infra/local/database';

// The limits against dynalite with an injected clock: the sliding window across minutes and
// UTC days, Retry-After, refusals that write nothing, refunds.
const table = 'limits-clock';
const NOON = Date.UTC(2026, 10, 24, 12, 0, 0);
const SECOND = 1000;
let database: LocalDatabase;
let doc: DynamoDBDocumentClient;
let widgetSeq = 0;
let widgetId: string;

beforeAll(async () => {
  database = await startLocalDatabase();
  await ensureTable(database.client, table);
  doc = createDocumentClient(database.client);
});
afterAll(() => database.close());
beforeEach(() => {
  widgetId = `w-${++widgetSeq}`; // a fresh widget per test: counters never leak between tests
});

const admit = (now: number, limits: WidgetLimits, visitor?: string) =>
  admitMessage({ doc, table, widgetId, limits, visitor, now });

async function refusal(promise: Promise<unknown>): Promise<PerchError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof PerchError)) throw new Error(`expected a refusal, got ${String(error)}`);
  return error;
}

/** Admits one by one at `now` until refused; returns how many were admitted. */
async function admitUntilRefused(now: number, limits: WidgetLimits): Promise<number> {
  for (let admitted = 0; ; admitted++) {
    try {
      await admit(now, limits);
    } catch (error) {
      if (error instanceof PerchError && error.status === 429) return admitted;
      throw error;
    }
  }
}

const read = async (key: { pk: string; sk: string }) =>
  (await doc.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;
const PER_MINUTE_10 = { perMinute: 10, perDay: 1000 };

describe('the sliding 60-second window', () => {
  test('a full previous minute still counts for half at second 30 of the next one', async () => {
    expect(await admitUntilRefused(NOON + 5 * SECOND, PER_MINUTE_10)).toBe(10);
    expect(await admitUntilRefused(NOON + 90 * SECOND, PER_MINUTE_10)).toBe(5);
  });

  test('right after a full minute nothing is admitted; Retry-After names the second the window opens', async () => {
    await admitUntilRefused(NOON + 50 * SECOND, PER_MINUTE_10);
    const nextMinute = NOON + 60 * SECOND;

    const error = await refusal(admit(nextMinute, PER_MINUTE_10));
    expect([error.code, error.status, error.headers['Retry-After']]).toEqual(['widget_rate_limit', 429, '6']);
    await expect(admit(nextMinute + 5 * SECOND, PER_MINUTE_10)).rejects.toMatchObject({ code: 'widget_rate_limit' });
    await expect(admit(nextMinute + 6 * SECOND, PER_MINUTE_10)).resolves.toMatchObject({ widgetId });
  });

  test('a full minute refuses with a small Retry-After after which the message is admitted', async () => {
    const limits = { perMinute: 2, perDay: 1000 };
    await admit(NOON + 20 * SECOND, limits);
    await admit(NOON + 21 * SECOND, limits);

    const error = await refusal(admit(NOON + 22 * SECOND, limits));
    const wait = Number(error.headers['Retry-After']);
    expect(error.code).toBe('widget_rate_limit');
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(120);
    await expect(admit(NOON + (22 + wait - 1) * SECOND, limits)).rejects.toMatchObject({ code: 'widget_rate_limit' });
    await expect(admit(NOON + (22 + wait) * SECOND, limits)).resolves.toMatchObject({ widgetId });
  });

  test("the first minute of a UTC day weighs in the previous day's last minute", async () => {
    const lastMinute = Date.UTC(2026, 10, 24, 23, 59, 30);
    expect(await admitUntilRefused(lastMinute, PER_MINUTE_10)).toBe(10);

    // 00:00:15: 10 × 45/60 → 8 of yesterday's messages are still in the window.
    expect(await admitUntilRefused(Date.UTC(2026, 10, 25, 0, 0, 15), PER_MINUTE_10)).toBe(2);
  });
});

describe('UTC days', () => {
  test("an earlier UTC day's full counter never blocks today, whether or not the reset job ran", async () => {
    const limits = { perMinute: 100, perDay: 3 };
    expect(await admitUntilRefused(NOON, limits)).toBe(3);

    expect(await admitUntilRefused(NOON + 86_400 * SECOND, limits)).toBe(3);
    expect(await read(counterKey(widgetId, utcDay(NOON)))).toMatchObject({ messages: 3 });
  });

  test(
    'a visitor over perVisitorPerDay is refused with Retry-After to 00:00 UTC, ' + 'and admitted again the next day',
    async () => {
      const limits = { perMinute: 100, perDay: 1000, perVisitorPerDay: 2 };
      await admit(NOON, limits, 'visitor-a');
      await admit(NOON, limits, 'visitor-a');

      const error = await refusal(admit(NOON + 30 * SECOND, limits, 'visitor-a'));
      expect([error.code, error.status, error.headers['Retry-After']]).toEqual([
        'visitor_daily_cap_exceeded',
        429,
        String(12 * 3600 - 30),
      ]);
      await expect(admit(NOON + 30 * SECOND, limits, 'visitor-b')).resolves.toMatchObject({ visitor: 'visitor-b' });
      await expect(admit(Date.UTC(2026, 10, 25, 0, 0, 1), limits, 'visitor-a')).resolves.toMatchObject({
        day: '2026-11-25',
      });
    },
  );

  test('a day whose cost reached dailyBudgetUsd refuses with 503 budget_exhausted', async () => {
    const limits = { perMinute: 100, perDay: 1000, dailyBudgetUsd: 0.01 };
    const admission = await admit(NOON, limits);
    await createUsageCounters({ doc, table }).replied(admission, {
      inputTokens: 1000,
      outputTokens: 1000,
      costUsd: 0.01,
    });

    const error = await refusal(admit(NOON + SECOND, limits));
    expect([error.code, error.status, error.headers['Retry-After']]).toEqual(['budget_exhausted', 503, undefined]);
  });
});

describe('refusals count nothing', () => {
  test.each<[string, WidgetLimits, number, string]>([
    ['a rate limit inside a minute', { perMinute: 1, perDay: 1000 }, NOON + 10 * SECOND, 'widget_rate_limit'],
    ['a rate limit at a minute boundary', { perMinute: 1, perDay: 1000 }, NOON + 60 * SECOND, 'widget_rate_limit'],
    ['the daily cap', { perMinute: 100, perDay: 1 }, NOON + 120 * SECOND, 'widget_daily_cap_exceeded'],
    [
      'the visitor cap',
      { perMinute: 100, perDay: 1000, perVisitorPerDay: 1 },
      NOON + 120 * SECOND,
      'visitor_daily_cap_exceeded',
    ],
  ])('%s writes nothing to the limit counts', async (_name, limits, refusedAt, code) => {
    await admit(NOON, limits, 'visitor-a');
    const keys = [counterKey(widgetId, utcDay(NOON)), visitorCounterKey(widgetId, 'visitor-a', utcDay(NOON))];
    const before = await Promise.all(keys.map(read));

    expect((await refusal(admit(refusedAt, limits, 'visitor-a'))).code).toBe(code);
    expect(await Promise.all(keys.map(read))).toEqual(before);
  });

  test("a widget refusal gives back the visitor's count it took first", async () => {
    const limits = { perMinute: 1, perDay: 1000, perVisitorPerDay: 5 };
    await admit(NOON, limits, 'visitor-a');
    await refusal(admit(NOON + SECOND, limits, 'visitor-a'));
    await refusal(admit(NOON + 2 * SECOND, limits, 'visitor-a'));

    expect(await read(visitorCounterKey(widgetId, 'visitor-a', utcDay(NOON)))).toMatchObject({ messages: 1 });
  });
});

describe('refunds', () => {
  test(
    'refundMessage gives back the minute, day and visitor counts, ' + 'so the freed slot admits another message',
    async () => {
      const limits = { perMinute: 2, perDay: 1000, perVisitorPerDay: 2 };
      await admit(NOON, limits, 'visitor-a');
      const failed: Admission = await admit(NOON + SECOND, limits, 'visitor-a');

      await refundMessage(doc, table, failed);

      expect(await read(counterKey(widgetId, utcDay(NOON)))).toMatchObject({ cur: 1, messages: 1 });
      expect(await read(visitorCounterKey(widgetId, 'visitor-a', utcDay(NOON)))).toMatchObject({ messages: 1 });
      await expect(admit(NOON + 2 * SECOND, limits, 'visitor-a')).resolves.toMatchObject({ widgetId });
    },
  );

  test('a refund after the minute rolled over gives back the day count only', async () => {
    const limits = { perMinute: 10, perDay: 1000 };
    const failed = await admit(NOON + 59 * SECOND, limits);
    await admit(NOON + 61 * SECOND, limits);

    await refundMessage(doc, table, failed);

    expect(await read(counterKey(widgetId, utcDay(NOON)))).toMatchObject({
      cur: 1,
      messages: 1,
      minute: failed.minute + 1,
    });
  });
});
