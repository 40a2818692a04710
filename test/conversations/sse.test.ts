import type { Readable } from 'node:stream';
import { Logger } from '@aws-lambda-powertools/logger';
import { createSseStream, formatSseEvent, SSE_HEARTBEAT } from '../../functions/conversations/sse';

test.each([
  ['delta', { text: 'Hello' }, 'event: delta\ndata: {"text":"Hello"}\n\n'],
  ['delta', { text: 'two\nlines\n\nand a blank' }, 'event: delta\ndata: {"text":"two\\nlines\\n\\nand a blank"}\n\n'],
  ['delta', { text: 'naïve 🐦 </script>' }, 'event: delta\ndata: {"text":"naïve 🐦 </script>"}\n\n'],
  [
    'done',
    { messageId: 'm1', usage: { inputTokens: 1, outputTokens: 2 } },
    'event: done\ndata: {"messageId":"m1","usage":{"inputTokens":1,"outputTokens":2}}\n\n',
  ],
  [
    'error',
    { code: 'upstream_error', message: 'Failed' },
    'event: error\ndata: {"code":"upstream_error","message":"Failed"}\n\n',
  ],
] as const)('formatSseEvent(%s, %j) is one event with a single data line', (event, data, wire) => {
  expect(formatSseEvent(event, data)).toBe(wire);
});

async function readAll(stream: Readable): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk;
  return text;
}

test('the stream carries what the producer writes, in order, and ends when it finishes', async () => {
  const stream = createSseStream(async (write) => {
    write('a');
    await new Promise((resolve) => setTimeout(resolve, 5));
    write('b');
  });
  expect(await readAll(stream)).toBe('ab');
});

test("destroying the stream (the visitor left) aborts the producer's signal", async () => {
  let signal: AbortSignal | undefined;
  let release!: () => void;
  const stream = createSseStream(async (write, s) => {
    signal = s;
    write('a');
    await new Promise<void>((resolve) => (release = resolve));
  });

  stream.destroy();
  await new Promise((resolve) => setImmediate(resolve));

  expect(signal?.aborted).toBe(true);
  release();
});

test('a stream that ends normally never aborts the signal', async () => {
  let signal: AbortSignal | undefined;
  const stream = createSseStream(async (write, s) => {
    signal = s;
    write('x');
  });
  await readAll(stream);
  await new Promise((resolve) => setImmediate(resolve));
  expect(signal?.aborted).toBe(false);
});

test('an idle stream sends heartbeat comments until the producer finishes', async () => {
  const stream = createSseStream(
    async (write) => {
      await new Promise((resolve) => setTimeout(resolve, 55));
      write(formatSseEvent('delta', { text: 'late' }));
    },
    { heartbeatMs: 20 },
  );
  const text = await readAll(stream);
  expect(text.startsWith(`${SSE_HEARTBEAT}${SSE_HEARTBEAT}`)).toBe(true);
  expect(text.endsWith('event: delta\ndata: {"text":"late"}\n\n')).toBe(true);
});

test('a producer that throws ends the stream and logs, without an unhandled error', async () => {
  const logger = new Logger();
  const errors = jest.spyOn(logger, 'error');
  const stream = createSseStream(
    async (write) => {
      write('a');
      throw new Error('bug');
    },
    { logger },
  );
  expect(await readAll(stream)).toBe('a');
  expect(errors).toHaveBeenCalledWith('sse producer failed', { error: 'Error: bug' });
});

test('writes after the visitor left are dropped, not thrown', async () => {
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const stream = createSseStream(async (write, signal) => {
    await new Promise((resolve) => signal.addEventListener('abort', resolve));
    expect(() => write('too late')).not.toThrow();
    done();
  });
  stream.destroy();
  await finished;
});
