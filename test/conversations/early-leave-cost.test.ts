import type { CompletionEvent, ModelProvider } from '../../functions/providers/model-provider';
import { type ClockedPerch, postToSession, startClockedPerch, startSession } from '../api/clocked-perch';

// A visitor who leaves before the first token still cost the prompt: the provider received it.
const DOCS = 'https://docs.example.com';
const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);
const PRICING = { inputPerMTok: 1000, outputPerMTok: 2000 };
const SYSTEM_PROMPT = 'You answer questions about Perch. '.repeat(200); // ~6,800 characters

let called!: () => void;
let upstreamCalled: Promise<void>;
let upstreamDone: Promise<void>;
// Waits for the abort like a real provider whose model has not produced a token yet.
const silent: ModelProvider = {
  complete: ({ signal }) =>
    (async function* (): AsyncGenerator<CompletionEvent> {
      let done!: () => void;
      upstreamDone = new Promise((resolve) => (done = resolve));
      called();
      try {
        await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
      } finally {
        done();
      }
    })(),
};

let perch: ClockedPerch;
beforeAll(async () => {
  perch = await startClockedPerch({
    startAt: T0,
    config: {
      models: { scripted: { provider: 'bedrock', modelId: 'test-model' } },
      widgets: {
        'docs-bot': {
          name: 'Docs',
          model: 'scripted',
          systemPrompt: SYSTEM_PROMPT,
          allowedOrigins: [DOCS],
          limits: { perMinute: 1000, perDay: 10_000, dailyBudgetUsd: 1000 },
        },
      },
    },
    resolveProvider: async () => ({ ready: true, provider: silent, maxOutputTokens: 300, pricing: PRICING }),
  });
});
afterAll(() => perch.close());

// In either reply mode the visitor's leaving aborts the model call (the provider here ends only
// on its abort signal) and the message stays counted.
test.each(['text/event-stream', 'application/json'])(
  'a 3,900-character question abandoned before the first token (%s) aborts the model and is charged its prompt',
  async (accept) => {
    perch.clock.advance(86_400_000);
    upstreamCalled = new Promise((resolve) => (called = resolve));
    const session = await startSession(perch.url, DOCS, perch.publicKey('docs-bot'));
    const visitor = new AbortController();
    const text = 'Why? '.repeat(780); // 3,900 characters

    const sent = postToSession(
      perch.url,
      session.sessionId,
      'messages',
      { text },
      { origin: DOCS, token: session.token, accept, signal: visitor.signal },
    );
    await upstreamCalled;
    visitor.abort();
    await sent.catch(() => undefined);
    await upstreamDone;

    const promptTokens = Math.ceil(SYSTEM_PROMPT.length / 4) + Math.ceil(text.trim().length / 4);
    let counter = await perch.counter('docs-bot');
    for (let i = 0; i < 100 && counter?.inputTokens === undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      counter = await perch.counter('docs-bot');
    }
    expect(counter).toMatchObject({ messages: 1, inputTokens: promptTokens, outputTokens: 0 });
    expect(counter!.costUsd).toBeCloseTo((promptTokens * PRICING.inputPerMTok) / 1e6, 9);
  },
);
