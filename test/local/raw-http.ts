import type { Server } from 'node:http';
import { connect, type Socket } from 'node:net';

/** A plain TCP client, so a test controls every byte and the moment it hangs up. */
export interface RawClient {
  socket: Socket;
  /** Everything the server sent so far. */
  received(): string;
  /** Resolves with what was received once it matches `pattern` (or the socket closed). */
  until(pattern: RegExp): Promise<string>;
  /** Resolves when the socket closed, for whatever reason. */
  closed: Promise<void>;
}

/** Connects to the host and port of `url` (e.g. a local target's `apiUrl`). */
export async function rawConnect(url: string): Promise<RawClient> {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname === 'localhost' ? '127.0.0.1' : hostname, port: Number(port) });
  let text = '';
  const waiting = new Set<() => void>();
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString('latin1');
    for (const check of waiting) check();
  });
  // A server that resets the connection is an answer too: the test looks at what arrived.
  socket.on('error', () => undefined);
  const closed = new Promise<void>((done) => socket.once('close', () => done()));
  void closed.then(() => {
    for (const check of waiting) check();
  });
  await new Promise<void>((done) => socket.once('connect', () => done()));
  return {
    socket,
    received: () => text,
    closed,
    until: (pattern) =>
      new Promise((done) => {
        const check = () => {
          if (!pattern.test(text) && !socket.destroyed) return;
          waiting.delete(check);
          done(text);
        };
        waiting.add(check);
        check();
      }),
  };
}

/** Writes `data` and resolves once it was handed to the operating system. */
export function write(client: RawClient, data: string | Buffer): Promise<void> {
  return new Promise((done, fail) => client.socket.write(data, (error) => (error ? fail(error) : done())));
}

/** The bytes of a request: its request line and header lines, a blank line, then the body. */
export const requestText = (head: string[], body = '') => `${head.join('\r\n')}\r\n\r\n${body}`;

/** Sends one raw request (ending with `Connection: close`) and resolves with the whole raw answer. */
export async function rawExchange(url: string, request: string): Promise<string> {
  const client = await rawConnect(url);
  await write(client, request);
  await client.closed;
  return client.received();
}

/** The status code of a raw HTTP answer, or undefined when there was none. */
export const statusOf = (raw: string): number | undefined => {
  const status = /^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1];
  return status === undefined ? undefined : Number(status);
};

/** Resolves when the server's next response closes: the server has seen the client leave or answered. */
export function nextResponseClosed(server: Server): Promise<void> {
  return new Promise((done) => server.once('request', (_req, res) => res.once('close', () => done())));
}

/** Status, lower-cased headers and body (chunked transfer decoded) of a raw HTTP answer. */
export function parseRawResponse(raw: string): { status?: number; headers: Record<string, string>; body: string } {
  const [head = '', ...rest] = raw.split('\r\n\r\n');
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = rest.join('\r\n\r\n');
  if (headers['transfer-encoding'] === 'chunked') {
    let decoded = '';
    for (let size = parseInt(body, 16); size > 0; size = parseInt(body, 16)) {
      const start = body.indexOf('\r\n') + 2;
      decoded += body.slice(start, start + size);
      body = body.slice(start + size + 2);
    }
    body = decoded;
  }
  return { status: statusOf(raw), headers, body };
}
