import { JSON_REPLY_DEADLINE_MS } from '../../functions/conversations/send-message';
import type { CompletionEvent, CompletionRequest } from '../../functions/providers/model-provider';
import { ORIGIN_READ_TIMEOUT_SECONDS } from '../../functions/routes';
import { sessionKey } from '../../functions/sessions/session-record';
import { type ClockedPerch, parseSse, postToSession, startClockedPerch, startSession } from '../api/clocked-perch';

// In JSON mode nothing reaches CloudFront before the whole answer, so the model call ends at a
// deadline inside the origin read timeout: the visitor gets Perch's own refusal with nothing
// stored, never CloudFront's 504 for a turn that was stored and charged. SSE is not cut by it.
const DOCS = 'https://docs.example.com';
let perch: ClockedPerch;
let model: (request: CompletionRequest) => AsyncIterable<CompletionEvent>;
const requests: CompletionRequest[] = [];

beforeAll(async () => {
  perch = await startClockedPerch({
    startAt: Date.UTC(2026, 11, 2, 12),
    timeoutMs: 60_000, // longer than the test's own timeout: only the JSON deadline can end the call in time
    jsonDeadlineMs: 300,
    config: {
      models: { scripted: { provider: 'bedrock', modelId: 'test-model' } },
      widgets: {
        'docs-bot': {
          name: 'Docs',
          model: 'scripted',
          allowedOrigins: [DOCS],
          limits: { perMinute: 100, perDay: 100 },
        },
      },
    },
    resolveProvider: async () => ({
      ready: true,
      provider: {
        complete: (request) => {
          requests.push(request);
          return model(request);
        },
      },
      maxOutputTokens: 300,
      pricing: { inputPerMTok: 1, outputPerMTok: 2 },
    }),
  });
});
afterAll(() => perch?.close());

const ask = async (accept: string) => {
  const session = await startSession(perch.url, DOCS, perch.publicKey('docs-bot'));
  const response = await postToSession(
    perch.url,
    session.sessionId,
    'messages',
    { text: 'Explain it all' },
    {
      origin: DOCS,
      token: session.token,
      accept,
    },
  );
  const stored = async () => (await perch.runtimeItems()).get(`${sessionKey(session.sessionId).pk}|SESSION`);
  return { response, stored };
};
const messagesCounted = async () => Number((await perch.counter('docs-bot'))?.messages ?? 0);

test('the JSON deadline sits inside the origin read timeout that CloudFront is given', () => {
  expect(JSON_REPLY_DEADLINE_MS).toBeLessThan(ORIGIN_READ_TIMEOUT_SECONDS * 1000);
  expect(JSON_REPLY_DEADLINE_MS).toBeGreaterThanOrEqual(30_000);
});

test('JSON: a model still writing at the deadline is cut; nothing stored, the count given back', async () => {
  model = (request) =>
    (async function* () {
      yield { type: 'delta' as const, text: 'A long answer, ' };
      await new Promise((_, reject) => request.signal.addEventListener('abort', () => reject(request.signal.reason)));
    })();
  const before = await messagesCounted();

  const { response, stored } = await ask('application/json');

  expect(response.status).toBe(502);
  expect(((await response.json()) as { error: { code: string } }).error.code).toBe('upstream_error');
  expect(requests.at(-1)!.signal.aborted).toBe(true);
  expect((await stored())?.turns).toEqual({});
  expect(await messagesCounted()).toBe(before);
});

test('SSE: the same slow answer is not cut by the JSON deadline and is stored', async () => {
  model = () =>
    (async function* () {
      yield { type: 'delta' as const, text: 'Slow ' };
      await new Promise((resolve) => setTimeout(resolve, 600));
      yield { type: 'delta' as const, text: 'but complete.' };
      yield { type: 'usage' as const, inputTokens: 10, outputTokens: 4 };
    })();

  const { response, stored } = await ask('text/event-stream');

  const events = parseSse(await response.text());
  expect(events.map((e) => e.event)).toEqual(['delta', 'delta', 'done']);
  expect(Object.values((await stored())!.turns as Record<string, { text: string }>).map((t) => t.text)).toContain(
    'Slow but complete.',
  );
});
