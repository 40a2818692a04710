import type { CompletionEvent, ModelProvider } from '../../functions/providers/model-provider';
import { UpstreamError } from '../../functions/providers/model-provider';
import { type ClockedPerch, parseSse, postToSession, startClockedPerch, startSession } from '../api/clocked-perch';

// The tokens a model wrote before it failed or the visitor left were spent: they count toward
// the daily budget, or a visitor could stream answers that dailyBudgetUsd never sees (abort
// before `done`, or ask for answers longer than the upstream timeout).
const DOCS = 'https://docs.example.com';
const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);
const PRICING = { inputPerMTok: 1000, outputPerMTok: 2000 };

let script: (signal: AbortSignal) => AsyncIterable<CompletionEvent>;
const scripted: ModelProvider = { complete: (request) => script(request.signal) };
let perch: ClockedPerch;

beforeAll(async () => {
  perch = await startClockedPerch({
    startAt: T0,
    timeoutMs: 500,
    config: {
      models: { scripted: { provider: 'bedrock', modelId: 'test-model' } },
      widgets: {
        'docs-bot': {
          name: 'Docs',
          model: 'scripted',
          allowedOrigins: [DOCS],
          limits: { perMinute: 1000, perDay: 10_000, dailyBudgetUsd: 1000 },
        },
      },
    },
    resolveProvider: async () => ({ ready: true, provider: scripted, maxOutputTokens: 300, pricing: PRICING }),
  });
});
afterAll(() => perch.close());
let errorLog: jest.SpyInstance;
beforeEach(() => {
  errorLog = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  perch.clock.advance(1000);
});
afterEach(() => errorLog.mockRestore());

const cost = async () => Number((await perch.counter('docs-bot'))?.costUsd ?? 0);
const send = async (signal?: AbortSignal) => {
  const session = await startSession(perch.url, DOCS, perch.publicKey('docs-bot'));
  return postToSession(
    perch.url,
    session.sessionId,
    'messages',
    { text: 'tell me everything' },
    { origin: DOCS, token: session.token, accept: 'text/event-stream', signal },
  );
};

test('an answer cut by an upstream failure after some text is charged to the budget', async () => {
  const before = await cost();
  script = async function* () {
    yield { type: 'delta', text: 'A long answer that the model already wrote. '.repeat(20) };
    throw new UpstreamError('model crashed', 500);
  };

  const events = parseSse(await (await send()).text());

  expect(events.map((e) => e.event)).toEqual(['delta', 'error']);
  expect(await cost()).toBeGreaterThan(before);
});

test('an answer the visitor walked away from is charged to the budget', async () => {
  const before = await cost();
  let finished!: () => void;
  const upstreamDone = new Promise<void>((resolve) => (finished = resolve));
  script = (signal) =>
    (async function* () {
      try {
        for (let i = 0; i < 1000; i++) {
          if (signal.aborted) throw signal.reason; // as the real providers do
          yield { type: 'delta' as const, text: 'word '.repeat(20) };
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      } finally {
        finished();
      }
    })();
  const visitor = new AbortController();

  const response = await send(visitor.signal);
  await response.body!.getReader().read();
  visitor.abort();
  await upstreamDone;

  for (let i = 0; i < 50 && (await cost()) === before; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(await cost()).toBeGreaterThan(before);
});

test('an upstream that fails before writing anything charges nothing', async () => {
  const before = await cost();
  script = async function* () {
    yield* [];
    throw new UpstreamError('throttled', 429);
  };

  const events = parseSse(await (await send()).text());

  expect(events.map((e) => e.event)).toEqual(['error']);
  expect(await cost()).toBe(before);
});
