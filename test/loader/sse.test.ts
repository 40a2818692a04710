import fc from 'fast-check';
import { readServerSentEvents, type ServerSentEvent } from '../../loader/src/chat/sse';

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function eventsOf(chunks: string[]): Promise<ServerSentEvent[]> {
  const events: ServerSentEvent[] = [];
  await readServerSentEvents(streamOf(chunks), (event) => events.push(event));
  return events;
}

const REPLY =
  ': ping\n\nevent: delta\ndata: {"text":"Hel"}\n\nevent: delta\ndata: {"text":"lo é ✓"}\n\n: ping\n\n' +
  'event: done\ndata: {"messageId":"m1","usage":{"inputTokens":1,"outputTokens":2}}\n\n';
const EXPECTED = [
  { event: 'delta', data: '{"text":"Hel"}' },
  { event: 'delta', data: '{"text":"lo é ✓"}' },
  { event: 'done', data: '{"messageId":"m1","usage":{"inputTokens":1,"outputTokens":2}}' },
];

test('reads delta and done events and skips ping comments', async () => {
  expect(await eventsOf([REPLY])).toEqual(EXPECTED);
});

test('the same events come out wherever the network splits the bytes, even inside a character', async () => {
  const bytes = new TextEncoder().encode(REPLY);
  await fc.assert(
    fc.asyncProperty(fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 12 }), async (cuts) => {
      const points = [0, ...cuts.sort((a, b) => a - b), bytes.length];
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 1; i < points.length; i++) controller.enqueue(bytes.slice(points[i - 1], points[i]));
          controller.close();
        },
      });
      const events: ServerSentEvent[] = [];
      await readServerSentEvents(stream, (event) => events.push(event));
      expect(events).toEqual(EXPECTED);
    }),
  );
});

test('CRLF line ends, multi-line data and a missing space after the colon are read as the spec says', async () => {
  expect(await eventsOf(['event:error\r\ndata: {"code":\r\ndata:"upstream_error"}\r\n\r\n'])).toEqual([
    { event: 'error', data: '{"code":\n"upstream_error"}' },
  ]);
});

test('an event without data is not dispatched, and one without an event name is a message', async () => {
  expect(await eventsOf(['event: delta\n\ndata: x\n\n'])).toEqual([{ event: 'message', data: 'x' }]);
});

test('an unterminated last event at the end of the body is still delivered', async () => {
  expect(await eventsOf(['event: done\ndata: {}'])).toEqual([{ event: 'done', data: '{}' }]);
});

test('an error thrown by the handler stops reading and cancels the body', async () => {
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.enqueue(new TextEncoder().encode('event: error\ndata: {}\n\n'));
    },
    cancel() {
      cancelled = true;
    },
  });
  await expect(
    readServerSentEvents(stream, () => {
      throw new Error('refused');
    }),
  ).rejects.toThrow('refused');
  expect(cancelled).toBe(true);
});
