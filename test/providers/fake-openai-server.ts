import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for an OpenAI-compatible `/chat/completions` endpoint that speaks the real
 * streaming wire format: `data: <chunk JSON>\n\n` lines, then `data: [DONE]\n\n`. Each test
 * scripts the reply; the server records what it was sent and whether the client hung up.
 */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
  /** Resolves true when the client closed the connection before the reply was finished. */
  hungUp: Promise<boolean>;
}

export type Reply = (res: ServerResponse, request: ReceivedRequest) => void | Promise<void>;

export interface FakeOpenAi {
  /** The `baseUrl` to configure: ends before `/chat/completions`. */
  baseUrl: string;
  received: ReceivedRequest[];
  reply(script: Reply): void;
  close(): Promise<void>;
}

export async function startFakeOpenAi(): Promise<FakeOpenAi> {
  const received: ReceivedRequest[] = [];
  let script: Reply = (res) => void res.writeHead(500).end();
  const server = createServer(async (req, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const hungUp = new Promise<boolean>((resolve) => res.once('close', () => resolve(!res.writableFinished)));
    const request: ReceivedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      body: JSON.parse(raw || '{}'),
      hungUp,
    };
    received.push(request);
    await script(res, request);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    received,
    reply: (next) => void (script = next),
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

/** One streamed chunk as OpenAI sends it. */
export const contentChunk = (content: string) =>
  JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'gpt-test',
    choices: [{ index: 0, delta: { content }, finish_reason: null }],
  });
export const roleChunk = () =>
  JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'gpt-test',
    choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
  });
export const stopChunk = () =>
  JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'gpt-test',
    choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
  });
/** With `stream_options.include_usage`, the last chunk has no choices and the usage. */
export const usageChunk = (prompt: number, completion: number) =>
  JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'gpt-test',
    choices: [],
    usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
  });

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A complete streamed answer: role chunk, one chunk per piece, stop, usage, [DONE]. */
export function streamedAnswer(
  pieces: string[],
  { usage = [11, 5] as [number, number] | null, done = true, delayMs = 0 } = {},
): Reply {
  return async (res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    const lines = [roleChunk(), ...pieces.map(contentChunk), stopChunk(), ...(usage ? [usageChunk(...usage)] : [])];
    for (const line of lines) {
      if (res.destroyed) return;
      res.write(`data: ${line}\n\n`);
      if (delayMs) await pause(delayMs);
    }
    if (done) res.write('data: [DONE]\n\n');
    res.end();
  };
}

/** Sends some chunks, then drops the connection mid-way (no [DONE], no clean end). */
export function brokenMidway(pieces: string[]): Reply {
  return async (res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    for (const piece of pieces) res.write(`data: ${contentChunk(piece)}\n\n`);
    await pause(20);
    res.destroy();
  };
}

/** An upstream refusal such as a 429 with OpenAI's error body. */
export function httpError(status: number, message: string): Reply {
  return (res) => {
    res.writeHead(status, { 'Content-Type': 'application/json', 'Retry-After': '20' });
    res.end(JSON.stringify({ error: { message, type: 'requests', code: 'rate_limit_exceeded' } }));
  };
}

/** Streams pieces slowly until the client hangs up (for abort tests). */
export function endless(piece = 'word '): Reply {
  return async (res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    for (let i = 0; i < 2000 && !res.destroyed; i++) {
      res.write(`data: ${contentChunk(piece)}\n\n`);
      await pause(10);
    }
    res.end();
  };
}
