import type { CompletionEvent, CompletionRequest, ModelProvider } from '../../functions/providers/model-provider';
import { UpstreamError } from '../../functions/providers/model-provider';
import { createProviderResolver } from '../../functions/providers/resolve-provider';
import { sessionKey } from '../../functions/sessions/session-record';
import {
  type ClockedPerch,
  parseSse,
  postToSession,
  type StartedSession,
  startClockedPerch,
  startSession,
} from '../api/clocked-perch';

// The message route through the local server's streaming adapter, with a scripted model so
// each test decides what the upstream does (deltas, usage, failure, hanging).
const DOCS = 'https://docs.example.com';
const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);
const PRICING = { inputPerMTok: 1000, outputPerMTok: 2000 };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type Script = (request: CompletionRequest) => AsyncIterable<CompletionEvent>;
let script: Script;
const requests: CompletionRequest[] = [];
const scripted: ModelProvider = {
  complete: (request) => {
    requests.push(request);
    return script(request);
  },
};
const realResolver = createProviderResolver({ env: {}, fetchSecret: () => Promise.reject(new Error('no secrets')) });

async function* answer(pieces: string[], usage: [number, number] | null = [30, 4]): AsyncIterable<CompletionEvent> {
  for (const text of pieces) yield { type: 'delta', text };
  if (usage) yield { type: 'usage', inputTokens: usage[0], outputTokens: usage[1] };
}

let perch: ClockedPerch;
let session: StartedSession;

beforeAll(async () => {
  perch = await startClockedPerch({
    startAt: T0,
    timeoutMs: 500,
    config: {
      models: {
        scripted: { provider: 'bedrock', modelId: 'test-model' },
        keyless: {
          provider: 'openai',
          baseUrl: 'http://127.0.0.1:1/v1',
          model: 'x',
          apiKeyEnv: 'PERCH_TEST_MISSING_KEY',
        },
      },
      widgets: {
        'docs-bot': {
          name: 'Docs',
          model: 'scripted',
          systemPrompt: 'You answer questions about Perch.',
          allowedOrigins: [DOCS],
          limits: { perMinute: 1000, perDay: 10_000 },
        },
        unready: { name: 'Unready', model: 'keyless', allowedOrigins: [DOCS] },
      },
    },
    resolveProvider: async (widget) =>
      widget.widgetId === 'docs-bot'
        ? { ready: true, provider: scripted, maxOutputTokens: 300, pricing: PRICING }
        : realResolver(widget),
  });
});
afterAll(() => perch.close());
afterEach(() => errorLog.mockRestore());
let errorLog: jest.SpyInstance;
beforeEach(async () => {
  errorLog = jest.spyOn(perch.logger, 'error');
  requests.length = 0;
  script = () => answer(['Raise ', 'keyRotation', '.']);
  perch.clock.advance(1000);
  session = await startSession(perch.url, DOCS, perch.publicKey('docs-bot'));
});

const send = (text: unknown, accept = 'text/event-stream', target = session, signal?: AbortSignal) =>
  postToSession(
    perch.url,
    target.sessionId,
    'messages',
    { text },
    { origin: DOCS, token: target.token, accept, signal },
  );
const storedTurns = async (sessionId = session.sessionId) => {
  const item = (await perch.runtimeItems()).get(`${sessionKey(sessionId).pk}|SESSION`);
  return Object.values((item?.turns ?? {}) as Record<string, { role: string; text: string; rating?: string }>);
};
const messagesCounted = async () => Number((await perch.counter('docs-bot'))?.messages ?? 0);

describe('Server-Sent Events', () => {
  test('deltas as the model sends them, then done with the message id and usage: exactly this wire format', async () => {
    const response = await send('How do I rotate the key?');
    const body = await response.text();

    expect(response.status).toBe(200);
    expect(
      Object.fromEntries(
        ['content-type', 'cache-control', 'access-control-allow-origin', 'vary'].map((h) => [
          h,
          response.headers.get(h),
        ]),
      ),
    ).toEqual({
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'access-control-allow-origin': DOCS,
      vary: 'Origin',
    });
    const messageId = /"messageId":"([^"]+)"/.exec(body)?.[1] ?? '';
    expect(messageId).toMatch(UUID);
    expect(body).toBe(
      'event: delta\ndata: {"text":"Raise "}\n\n' +
        'event: delta\ndata: {"text":"keyRotation"}\n\n' +
        'event: delta\ndata: {"text":"."}\n\n' +
        `event: done\ndata: {"messageId":"${messageId}","usage":{"inputTokens":30,"outputTokens":4}}\n\n`,
    );
  });

  test('a delta reaches the visitor while the model is still writing', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    script = async function* () {
      yield { type: 'delta', text: 'first' };
      await gate;
      yield { type: 'delta', text: ' second' };
    };

    const response = await send('stream?');
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    release();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      rest += new TextDecoder().decode(chunk.value);

    expect(first).toBe('event: delta\ndata: {"text":"first"}\n\n');
    expect(parseSse(rest).map((e) => e.event)).toEqual(['delta', 'done']);
  });

  test('an upstream failure mid-answer ends with an error event; the count is given back and no turn is stored', async () => {
    const before = await messagesCounted();
    script = async function* () {
      yield { type: 'delta', text: 'Raise ' };
      throw new UpstreamError('model crashed', 500);
    };

    const events = parseSse(await (await send('How do I rotate the key?')).text());

    expect(events).toEqual([
      { event: 'delta', data: { text: 'Raise ' } },
      { event: 'error', data: { code: 'upstream_error', message: 'Failed to send message. Please try again.' } },
    ]);
    expect(await messagesCounted()).toBe(before);
    expect(await storedTurns()).toEqual([]);
    expect((await perch.counter('docs-bot'))?.refusals).toMatchObject({ upstream_error: expect.any(Number) });
    expect(errorLog).toHaveBeenCalledWith('upstream failed', {
      widgetId: 'docs-bot',
      error: expect.objectContaining({ name: 'UpstreamError', message: 'model crashed' }),
    });
  });

  test('an upstream that hangs is cut at the timeout: error event upstream_error, count given back', async () => {
    const before = await messagesCounted();
    script = (request) =>
      (async function* () {
        await new Promise((_, reject) => request.signal.addEventListener('abort', () => reject(request.signal.reason)));
        yield { type: 'delta' as const, text: 'never' };
      })();

    const events = parseSse(await (await send('hello?')).text());

    expect(events).toEqual([
      { event: 'error', data: { code: 'upstream_error', message: 'Failed to send message. Please try again.' } },
    ]);
    expect(await messagesCounted()).toBe(before);
  });

  test('a visitor who disconnects aborts the upstream model call', async () => {
    let aborted!: (reason: unknown) => void;
    const abortedWith = new Promise((resolve) => (aborted = resolve));
    script = (request) =>
      (async function* () {
        request.signal.addEventListener('abort', () => aborted(request.signal.reason));
        for (let i = 0; i < 1000 && !request.signal.aborted; i++) {
          yield { type: 'delta' as const, text: 'word ' };
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      })();
    const visitor = new AbortController();

    const response = await send('tell me everything', 'text/event-stream', session, visitor.signal);
    await response.body!.getReader().read();
    visitor.abort();

    await expect(abortedWith).resolves.toBeDefined();
    expect(requests[0]!.signal.aborted).toBe(true);
    expect(await storedTurns()).toEqual([]);
  });
});

describe('JSON mode', () => {
  test('Accept: application/json gets 200 {messageId, text, usage}', async () => {
    const response = await send('How do I rotate the key?', 'application/json');

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.json()).toEqual({
      messageId: expect.stringMatching(UUID),
      text: 'Raise keyRotation.',
      usage: { inputTokens: 30, outputTokens: 4 },
    });
  });

  test('an upstream failure is 502 upstream_error and gives the count back', async () => {
    const before = await messagesCounted();
    // biome-ignore lint/correctness/useYield: an upstream that fails before its first token
    script = async function* () {
      throw new UpstreamError('HTTP 429', 429);
    };

    const response = await send('hello?', 'application/json');

    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({
      error: { code: 'upstream_error', message: 'Failed to send message. Please try again.' },
    });
    expect(await messagesCounted()).toBe(before);
  });
});

describe('what a reply stores', () => {
  test('both turns are kept on the session, the answer under the message id, with the retention expiry', async () => {
    const { messageId } = (await (await send('  How do I rotate the key?  ', 'application/json')).json()) as {
      messageId: string;
    };

    const item = (await perch.runtimeItems()).get(`${sessionKey(session.sessionId).pk}|SESSION`)!;
    const turns = item.turns as Record<string, { role: string; text: string }>;
    expect(turns[messageId]).toMatchObject({ role: 'assistant', text: 'Raise keyRotation.' });
    expect(
      Object.values(turns)
        .map((t) => [t.role, t.text])
        .sort(),
    ).toEqual([
      ['assistant', 'Raise keyRotation.'],
      ['visitor', 'How do I rotate the key?'],
    ]);
    expect(item.expiresAt).toBe(Math.floor(perch.clock.now() / 1000) + 30 * 86_400);
  });

  test('the model gets the widget system prompt and the earlier turns, never anything from the client but its text', async () => {
    await send('first question', 'application/json');
    await send('second question', 'application/json');

    expect(requests[1]).toMatchObject({
      system: 'You answer questions about Perch.',
      maxOutputTokens: 300,
      turns: [
        { role: 'user', text: 'first question' },
        { role: 'assistant', text: 'Raise keyRotation.' },
        { role: 'user', text: 'second question' },
      ],
    });
  });

  test('the day counter gets the message, its tokens and the cost from the pricing', async () => {
    const before = (await perch.counter('docs-bot'))!;
    await send('How do I rotate the key?', 'application/json');
    const after = (await perch.counter('docs-bot'))!;

    expect(Number(after.messages) - Number(before.messages)).toBe(1);
    expect(Number(after.inputTokens) - Number(before.inputTokens ?? 0)).toBe(30);
    expect(Number(after.outputTokens) - Number(before.outputTokens ?? 0)).toBe(4);
    expect(Number(after.costUsd) - Number(before.costUsd ?? 0)).toBeCloseTo((30 * 1000 + 4 * 2000) / 1e6, 10);
  });

  test('a model that reports no usage gets an estimate (about 4 characters a token)', async () => {
    script = () => answer(['x'.repeat(40)], null);
    const reply = (await (await send('How?', 'application/json')).json()) as {
      usage: { inputTokens: number; outputTokens: number };
    };
    expect(reply.usage.outputTokens).toBe(10);
    expect(reply.usage.inputTokens).toBeGreaterThan(0);
  });
});

test('a widget whose model cannot serve answers 503 bot_not_ready and counts no message', async () => {
  const unready = await startSession(perch.url, DOCS, perch.publicKey('unready'));
  const response = await send('hello?', 'application/json', unready);

  expect(response.status).toBe(503);
  expect(await response.json()).toEqual({
    error: { code: 'bot_not_ready', message: 'This bot is not ready for chat yet.' },
  });
  expect((await perch.counter('unready'))?.messages).toBeUndefined();
  expect((await perch.counter('unready'))?.refusals).toEqual({ bot_not_ready: 1 });
});
