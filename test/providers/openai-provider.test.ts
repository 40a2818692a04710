import { type CompletionRequest, UpstreamError } from '../../functions/providers/model-provider';
import { createOpenAiProvider } from '../../functions/providers/openai-provider';
import { collect } from './collect-events';
import {
  brokenMidway,
  contentChunk,
  endless,
  type FakeOpenAi,
  httpError,
  startFakeOpenAi,
  streamedAnswer,
  usageChunk,
} from './fake-openai-server';

let upstream: FakeOpenAi;
beforeAll(async () => {
  upstream = await startFakeOpenAi();
});
afterAll(() => upstream.close());
beforeEach(() => {
  upstream.received.length = 0;
});

const provider = (apiKey: string | null = 'sk-test') =>
  createOpenAiProvider({ baseUrl: `${upstream.baseUrl}/`, model: 'gpt-test', apiKey: apiKey ?? undefined });
const request = (signal = new AbortController().signal): CompletionRequest => ({
  system: 'You are the docs assistant.',
  turns: [
    { role: 'user', text: 'Hi' },
    { role: 'assistant', text: 'Hello!' },
    { role: 'user', text: 'How do I rotate the key?' },
  ],
  maxOutputTokens: 256,
  signal,
});

test('streams the content deltas and the usage of the final chunk', async () => {
  upstream.reply(streamedAnswer(['Raise ', 'keyRotation', '.'], { usage: [31, 4] }));

  expect(await collect(provider().complete(request()))).toEqual({
    seen: [
      { type: 'delta', text: 'Raise ' },
      { type: 'delta', text: 'keyRotation' },
      { type: 'delta', text: '.' },
      { type: 'usage', inputTokens: 31, outputTokens: 4 },
    ],
  });
});

test(
  'posts a streamed chat completion with the system prompt first, ' + 'the key as a bearer token and the output limit',
  async () => {
    upstream.reply(streamedAnswer(['ok']));

    await collect(provider().complete(request()));

    const [sent] = upstream.received;
    expect([sent!.method, sent!.path, sent!.headers.authorization]).toEqual([
      'POST',
      '/v1/chat/completions',
      'Bearer sk-test',
    ]);
    expect(sent!.body).toEqual({
      model: 'gpt-test',
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 256,
      messages: [
        { role: 'system', content: 'You are the docs assistant.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
        { role: 'user', content: 'How do I rotate the key?' },
      ],
    });
  },
);

test('a keyless local server gets no Authorization header', async () => {
  upstream.reply(streamedAnswer(['ok']));
  await collect(provider(null).complete(request()));
  expect(upstream.received[0]!.headers.authorization).toBeUndefined();
});

test('events split across network writes mid-line, with CRLF line ends and comments, still parse', async () => {
  const wire =
    `: keep-alive\r\n\r\ndata: ${contentChunk('Hel')}\r\n\r\ndata: ${contentChunk('lo')}\r\n\r\n` +
    `data: ${usageChunk(3, 2)}\r\n\r\ndata: [DONE]\r\n\r\n`;
  upstream.reply(async (res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    for (let i = 0; i < wire.length; i += 7) {
      res.write(wire.slice(i, i + 7));
      await new Promise((resolve) => setImmediate(resolve));
    }
    res.end();
  });

  expect((await collect(provider().complete(request()))).seen).toEqual([
    { type: 'delta', text: 'Hel' },
    { type: 'delta', text: 'lo' },
    { type: 'usage', inputTokens: 3, outputTokens: 2 },
  ]);
});

test('multi-byte characters split across writes arrive whole', async () => {
  const wire = Buffer.from(`data: ${contentChunk('naïve 🐦')}\n\ndata: [DONE]\n\n`);
  upstream.reply(async (res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    for (const byte of wire) {
      res.write(Buffer.from([byte]));
    }
    res.end();
  });
  expect((await collect(provider().complete(request()))).seen).toEqual([{ type: 'delta', text: 'naïve 🐦' }]);
});

test('a stream without a usage chunk yields no usage (the route estimates it)', async () => {
  upstream.reply(streamedAnswer(['ok'], { usage: null }));
  expect((await collect(provider().complete(request()))).seen).toEqual([{ type: 'delta', text: 'ok' }]);
});

test('a stream that breaks mid-way fails with an UpstreamError after the deltas already sent', async () => {
  upstream.reply(brokenMidway(['Raise ', 'key']));

  const { seen, error } = await collect(provider().complete(request()));

  expect(seen).toEqual([
    { type: 'delta', text: 'Raise ' },
    { type: 'delta', text: 'key' },
  ]);
  expect(error).toBeInstanceOf(UpstreamError);
});

test('a stream that ends cleanly but without [DONE] is incomplete: UpstreamError', async () => {
  upstream.reply(streamedAnswer(['Raise '], { done: false }));

  const { error } = await collect(provider().complete(request()));

  expect(error).toBeInstanceOf(UpstreamError);
  expect(error!.message).toBe('openai gpt-test: stream ended before [DONE]');
});

test('a 429 from upstream is an UpstreamError with status 429 and the upstream detail, before any delta', async () => {
  upstream.reply(httpError(429, 'Rate limit reached for gpt-test'));

  const { seen, error } = await collect(provider().complete(request()));

  expect(seen).toEqual([]);
  expect(error).toBeInstanceOf(UpstreamError);
  expect((error as UpstreamError).status).toBe(429);
  expect(error!.message).toContain('Rate limit reached for gpt-test');
});

test('a chunk that is not JSON is an UpstreamError', async () => {
  upstream.reply((res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    res.end('data: {"choices": [\n\ndata: [DONE]\n\n');
  });
  expect((await collect(provider().complete(request()))).error).toBeInstanceOf(UpstreamError);
});

test('an unreachable endpoint is an UpstreamError', async () => {
  const gone = createOpenAiProvider({ baseUrl: 'http://127.0.0.1:1/v1', model: 'gpt-test' });
  expect((await collect(gone.complete(request()))).error).toBeInstanceOf(UpstreamError);
});

test(
  'an abort (the visitor left) closes the upstream ' + 'connection and is not reported as an upstream failure',
  async () => {
    upstream.reply(endless());
    const abort = new AbortController();

    const { seen, error } = await collect(
      (async function* () {
        for await (const event of provider().complete(request(abort.signal))) {
          yield event;
          if (event.type === 'delta') abort.abort(new Error('visitor left'));
        }
      })(),
    );

    expect(seen).toHaveLength(1);
    expect(error).not.toBeInstanceOf(UpstreamError);
    expect(await upstream.received[0]!.hungUp).toBe(true);
  },
);
