import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { visitorStartsKey } from '../../functions/limits/admit-session';
import { visitorHash } from '../../functions/limits/visitor';
import { utcDay } from '../../functions/usage/day';
import { type ClockedPerch, postSession, startClockedPerch } from '../api/clocked-perch';

// Session starts are limited like messages: per visitor per UTC hour and per widget per UTC day,
// each a single conditional write, so a script with the public key cannot mint sessions at will.
const DOCS = 'https://docs.example.com';
const HOUR = 3_600_000;
const START = Date.UTC(2026, 11, 2, 10, 59, 30); // 30 s before an hour ends
let perch: ClockedPerch;

const widget = (limits: Record<string, number>) => ({
  name: 'Docs',
  model: 'local',
  allowedOrigins: [DOCS],
  faq: [{ question: 'q', answer: 'a' }],
  limits: { perMinute: 1000, perDay: 10_000, ...limits },
});

beforeAll(async () => {
  perch = await startClockedPerch({
    config: {
      models: { local: { provider: 'faq' } },
      widgets: {
        hourly: widget({ sessionsPerVisitorPerHour: 10 }),
        daily: widget({ sessionsPerDay: 6, sessionsPerVisitorPerHour: 1000 }),
        defaults: widget({ perDay: 2 }),
        open: widget({}),
      },
    },
    startAt: START,
  });
});
afterAll(() => perch?.close());

const starts = (widgetId: string, n: number, resume?: string) =>
  Promise.all(
    Array.from({ length: n }, () =>
      postSession(perch.url, DOCS, { key: perch.publicKey(widgetId), ...(resume && { resume }) }),
    ),
  );
const statuses = (responses: Response[]) => responses.map((r) => r.status).sort();

test(
  'sessionsPerVisitorPerHour: 25 simultaneous starts from one visitor admit exactly 10; ' +
    'the next hour admits again',
  async () => {
    perch.clock.set(START);
    const responses = await starts('hourly', 25);
    expect(statuses(responses)).toEqual([...Array(10).fill(201), ...Array(15).fill(429)]);
    const refused = responses.find((r) => r.status === 429)!;
    expect(refused.headers.get('retry-after')).toBe('30');
    expect(await refused.json()).toEqual({
      error: { code: 'session_rate_limit', message: 'Failed to start chat. Please try again.' },
    });
    const counter = await perch.counter('hourly');
    expect(counter).toMatchObject({ sessions: 10, refusals: { session_rate_limit: 15 } });

    perch.clock.advance(30_000); // the next UTC hour
    expect(statuses(await starts('hourly', 1))).toEqual([201]);
  },
);

test('a resume is not a start: it works while the visitor is at the hourly cap and counts nothing', async () => {
  perch.clock.set(START + 5 * HOUR);
  const first = await starts('hourly', 10);
  const token = ((await first[0]!.json()) as { token: string }).token;
  expect(statuses(await starts('hourly', 1))).toEqual([429]);
  const before = await perch.counter('hourly');
  expect(statuses(await starts('hourly', 3, token))).toEqual([201, 201, 201]);
  expect((await perch.counter('hourly'))!.sessions).toBe(before!.sessions);
});

test('sessionsPerDay caps the widget; a day refusal gives the visitor its hourly start back', async () => {
  perch.clock.set(START + 30 * HOUR);
  const responses = await starts('daily', 9);
  expect(statuses(responses)).toEqual([...Array(6).fill(201), ...Array(3).fill(429)]);
  const now = perch.clock.now();
  const midnight = Date.UTC(2026, 11, 4);
  expect(responses.find((r) => r.status === 429)!.headers.get('retry-after')).toBe(
    String(Math.ceil((midnight - now) / 1000)),
  );
  const visitor = visitorHash(perch.keys.visitorSalt, { sourceIp: '127.0.0.1' }, utcDay(now));
  const item = await perch.runtime.doc.send(
    new GetCommand({
      TableName: perch.table,
      Key: visitorStartsKey('daily', visitor, Math.floor(now / HOUR)),
      ConsistentRead: true,
    }),
  );
  expect(item.Item?.starts).toBe(6);
  expect(await perch.counter('daily')).toMatchObject({ sessions: 6, refusals: { session_rate_limit: 3 } });
});

test('defaults: 30 starts per visitor per hour, 10 × perDay per widget per day', async () => {
  perch.clock.set(START + 60 * HOUR);
  expect(statuses(await starts('open', 35))).toEqual([...Array(30).fill(201), ...Array(5).fill(429)]);
  expect(statuses(await starts('defaults', 24))).toEqual([...Array(20).fill(201), ...Array(4).fill(429)]);
});
