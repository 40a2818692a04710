import { PassThrough, type Readable } from 'node:stream';
import type { Logger } from '../logging/logger';

/** One Server-Sent Event: `event: <name>` and one `data:` line of JSON. */
export function formatSseEvent(event: 'delta' | 'done' | 'error', data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** A comment line: keeps proxies and API Gateway from closing an idle stream. */
export const SSE_HEARTBEAT = ': ping\n\n';

export interface SseStreamOptions {
  heartbeatMs?: number;
  logger?: Pick<Logger, 'error'>;
}

/**
 * A readable SSE body fed by `produce`. If the reader goes away (the visitor closed the tab,
 * the response stream was destroyed), `signal` aborts so the upstream model call stops too.
 */
export function createSseStream(
  produce: (write: (chunk: string) => void, signal: AbortSignal) => Promise<void>,
  { heartbeatMs = 15_000, logger }: SseStreamOptions = {},
): Readable {
  const stream = new PassThrough();
  const abort = new AbortController();
  let finished = false;
  stream.once('close', () => {
    if (!finished) abort.abort(new Error('client disconnected'));
  });
  // The consumer (middy's pipeline, the local server) reports its own failures; a destroyed
  // stream must not crash the process with an unhandled 'error'.
  stream.on('error', () => undefined);
  const write = (chunk: string) => {
    if (!stream.destroyed) stream.write(chunk);
  };
  const heartbeat = setInterval(() => write(SSE_HEARTBEAT), heartbeatMs);
  produce(write, abort.signal)
    .catch((error: unknown) => logger?.error('sse producer failed', { error: String(error) }))
    .finally(() => {
      finished = true;
      clearInterval(heartbeat);
      if (!stream.destroyed) stream.end();
    });
  return stream;
}
