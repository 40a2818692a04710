import { UpstreamError } from '../../functions/providers/model-provider';
import { parseSse } from '../api/clocked-perch';
import { DOCS, UUID, useScriptedPerch } from './scripted-perch';

// What the message route answers, as Server-Sent Events and as JSON, with a scripted model
// (see scripted-perch.ts); what a reply stores is in messages-storage.test.ts.
const chat = useScriptedPerch();
const { send, storedTurns, messagesCounted } = chat;

describe('Server-Sent Events', () => {
  test(
    'deltas as the model sends them, ' + 'then done with the message id and usage: exactly this wire format',
    async () => {
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
          `event: done\ndata: {"messageId":"${messageId}",` +
          '"usage":{"inputTokens":30,"outputTokens":4},"sources":[]}\n\n',
      );
    },
  );

  test('a delta reaches the visitor while the model is still writing', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    chat.script = async function* () {
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

  test(
    'an upstream failure mid-answer ends with an error event; ' + 'the count is given back and no turn is stored',
    async () => {
      const before = await messagesCounted();
      chat.script = async function* () {
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
      expect((await chat.perch.counter('docs-bot'))?.refusals).toMatchObject({ upstream_error: expect.any(Number) });
      expect(chat.errorLog).toHaveBeenCalledWith('upstream failed', {
        widgetId: 'docs-bot',
        error: expect.objectContaining({ name: 'UpstreamError', message: 'model crashed' }),
      });
    },
  );

  test('an upstream that hangs is cut at the timeout: error event upstream_error, count given back', async () => {
    const before = await messagesCounted();
    chat.script = (request) =>
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
    chat.script = (request) =>
      (async function* () {
        request.signal.addEventListener('abort', () => aborted(request.signal.reason));
        for (let i = 0; i < 1000 && !request.signal.aborted; i++) {
          yield { type: 'delta' as const, text: 'word ' };
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      })();
    const visitor = new AbortController();

    const response = await send('tell me everything', 'text/event-stream', chat.session, visitor.signal);
    await response.body!.getReader().read();
    visitor.abort();

    await expect(abortedWith).resolves.toBeDefined();
    expect(chat.requests[0]!.signal.aborted).toBe(true);
    expect(await storedTurns()).toEqual([]);
  });
});

describe('JSON mode', () => {
  test('Accept: application/json gets 200 {messageId, text, usage, sources}', async () => {
    const response = await send('How do I rotate the key?', 'application/json');

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.json()).toEqual({
      messageId: expect.stringMatching(UUID),
      text: 'Raise keyRotation.',
      usage: { inputTokens: 30, outputTokens: 4 },
      sources: [],
    });
  });

  test('an upstream failure is 502 upstream_error and gives the count back', async () => {
    const before = await messagesCounted();
    // biome-ignore lint/correctness/useYield: an upstream that fails before its first token
    chat.script = async function* () {
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
