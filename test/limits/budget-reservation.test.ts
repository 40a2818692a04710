import type { ServerResponse } from 'node:http';
import { type ClockedPerch, postToSession, startClockedPerch, startSession } from '../api/clocked-perch';
import {
  contentChunk,
  type FakeOpenAi,
  roleChunk,
  startFakeOpenAi,
  stopChunk,
  usageChunk,
} from '../providers/fake-openai-server';

// dailyBudgetUsd holds under concurrency: the admitting write reserves each message's worst case
// (estimated prompt + maxOutputTokens) and the reply settles it to the cost the upstream reports.
const DOCS = 'https://docs.example.com';
const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);
const MAX_OUTPUT = 100;
// 100 output tokens cost $1; a short prompt about a cent.
const PRICING = { inputPerMTok: 1000, outputPerMTok: 10_000 };
const BUDGET = 10;

let upstream: FakeOpenAi;
let perch: ClockedPerch;
beforeAll(async () => {
  upstream = await startFakeOpenAi();
  perch = await startClockedPerch({
    startAt: T0,
    config: {
      models: {
        priced: {
          provider: 'openai',
          baseUrl: upstream.baseUrl,
          model: 'gpt-test',
          pricing: PRICING,
          maxOutputTokens: MAX_OUTPUT,
        },
      },
      widgets: {
        'docs-bot': {
          name: 'Docs',
          model: 'priced',
          allowedOrigins: [DOCS],
          limits: { perMinute: 1000, perDay: 10_000, dailyBudgetUsd: BUDGET, sessionsPerVisitorPerHour: 100 },
        },
      },
    },
  });
});
afterAll(async () => {
  await perch.close();
  await upstream.close();
});
beforeEach(() => perch.clock.advance(86_400_000)); // a fresh UTC day, so a fresh budget

/** An honest upstream: reports the prompt's tokens (~4 characters each) and the completion it wrote. */
async function answer(res: ServerResponse, body: Record<string, unknown>, completionTokens: number) {
  const messages = body.messages as { content: string }[];
  const promptTokens = Math.ceil(messages.reduce((n, m) => n + m.content.length, 0) / 4);
  res.writeHead(200, { 'Content-Type': 'text/event-stream' });
  for (const line of [
    roleChunk(),
    contentChunk('word '.repeat(completionTokens)),
    stopChunk(),
    usageChunk(promptTokens, completionTokens),
  ]) {
    res.write(`data: ${line}\n\n`);
  }
  res.end('data: [DONE]\n\n');
}

const dayCost = async () => Number((await perch.counter('docs-bot'))?.costUsd ?? 0);

async function ask(text = 'tell me everything') {
  const session = await startSession(perch.url, DOCS, perch.publicKey('docs-bot'));
  return () =>
    postToSession(perch.url, session.sessionId, 'messages', { text }, { origin: DOCS, token: session.token });
}

test(
  '40 concurrent $1 replies against a $10 budget: ' +
    'the day spends at most $10, the rest are refused budget_exhausted',
  async () => {
    const asks = await Promise.all(Array.from({ length: 40 }, () => ask()));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const arrived = upstream.received.length;
    upstream.reply(async (res, request) => {
      await held; // every admitted reply is in flight at once
      await answer(res, request.body, MAX_OUTPUT);
    });
    let refused = 0;
    const responses = asks.map((send) =>
      send().then(async (response) => {
        if (response.status !== 200) refused += 1;
        return { status: response.status, body: (await response.json()) as { error?: { code: string } } };
      }),
    );
    while (upstream.received.length - arrived + refused < 40) await new Promise((resolve) => setTimeout(resolve, 5));
    release();
    const results = await Promise.all(responses);

    const served = results.filter((r) => r.status === 200).length;
    expect(served).toBeGreaterThan(0);
    expect(served).toBeLessThanOrEqual(BUDGET);
    expect(new Set(results.filter((r) => r.status !== 200).map((r) => `${r.status} ${r.body.error?.code}`))).toEqual(
      new Set(['503 budget_exhausted']),
    );
    expect(await dayCost()).toBeLessThanOrEqual(BUDGET);
    // Settled to the real cost: nothing of the reservations is left over.
    const counter = await perch.counter('docs-bot');
    expect(counter).toMatchObject({ messages: served, outputTokens: served * MAX_OUTPUT });
    const settled =
      ((counter!.inputTokens as number) * PRICING.inputPerMTok + served * MAX_OUTPUT * PRICING.outputPerMTok) / 1e6;
    expect(await dayCost()).toBeCloseTo(settled, 9);
  },
);

test('replies cheaper than their worst case settle low, so the rest of the budget stays usable', async () => {
  upstream.reply((res, request) => answer(res, request.body, 10)); // 10 tokens: about 11 cents each

  const statuses: number[] = [];
  for (let i = 0; i < 20; i++) statuses.push((await (await ask())()).status);

  expect(statuses).toEqual(Array(20).fill(200));
  expect(await dayCost()).toBeLessThan(3);
});

test('a message whose worst case alone passes the budget is refused before the upstream is called', async () => {
  const arrived = upstream.received.length;
  // 2,000 output tokens at most: a $20 worst case.
  await perch.apply({
    models: {
      priced: {
        provider: 'openai',
        baseUrl: upstream.baseUrl,
        model: 'gpt-test',
        pricing: PRICING,
        maxOutputTokens: 2000,
      },
    },
    widgets: {
      'docs-bot': {
        name: 'Docs',
        model: 'priced',
        allowedOrigins: [DOCS],
        limits: { perMinute: 1000, perDay: 10_000, dailyBudgetUsd: BUDGET, sessionsPerVisitorPerHour: 100 },
      },
    },
  });

  const response = await (await ask())();

  expect(response.status).toBe(503);
  expect(upstream.received.length).toBe(arrived);
  expect(await perch.counter('docs-bot')).toMatchObject({ refusals: { budget_exhausted: 1 } });
});
