import { mkdtempSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_BODY_BYTES } from '../../functions/http/json-body';
import { type LocalTarget, startLocalTarget } from '../../infra/local/target';
import { type StartedSession, startSession } from '../api/clocked-perch';
import { writeConfigFile } from '../fixtures/config-file';
import { parseRawResponse, rawConnect, rawExchange, requestText, write } from './raw-http';

// Every route refuses a body over MAX_BODY_BYTES (32 KB). The local server stops reading an
// upload there: a 10 MB one is answered while the client still has most of it to send, with
// the refusal the handler gives any oversized body, and the server reads little past the limit.
const DOCS = 'https://docs.example.com';
const UPLOAD_BYTES = 10 * 1024 * 1024;
const PIECE = Buffer.alloc(64 * 1024, 'a');
let dir: string;
let target: LocalTarget;
let session: StartedSession;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perch-body-limit-'));
  const faq = [{ question: 'What is Perch?', answer: 'Chat widgets declared in Git.' }];
  writeConfigFile(join(dir, 'widgets.config.ts'), {
    models: { local: { provider: 'faq' } },
    widgets: { 'docs-bot': { name: 'Docs', model: 'local', allowedOrigins: [DOCS], faq } },
  });
  target = await startLocalTarget({ configFile: join(dir, 'widgets.config.ts'), port: 0, log: () => undefined });
  session = await startSession(target.apiUrl, DOCS, target.outputs.widgets['docs-bot']!.publicKey);
});

afterAll(async () => {
  await target?.close();
  rmSync(dir, { recursive: true, force: true });
});

const head = (path: string, framing: string) => [
  `POST ${path} HTTP/1.1`,
  `Host: ${new URL(target.apiUrl).host}`,
  `Origin: ${DOCS}`,
  `Authorization: Bearer ${session.token}`,
  'Content-Type: application/json',
  'Accept: application/json',
  framing,
];

/** Sends a request with its whole body; resolves with the answer's status, CORS grant and body. */
async function exchange(path: string, body: string) {
  const request = requestText([...head(path, `Content-Length: ${Buffer.byteLength(body)}`), 'Connection: close'], body);
  return answerOf(await rawExchange(target.apiUrl, request));
}

/** The answer to a body just over the limit, sent in full: what the handler refuses it with. */
const refusalOfSmallOversize = (path: string) => exchange(path, 'a'.repeat(MAX_BODY_BYTES + 8 * 1024));

const answerOf = (raw: string) => {
  const { status, headers, body } = parseRawResponse(raw);
  const allowOrigin = headers['access-control-allow-origin'];
  return { status, allowOrigin, body: body === '' ? undefined : JSON.parse(body) };
};

/**
 * Streams a 10 MB upload piece by piece, on after the answer too, until the server closes the
 * connection: how much was sent before the answer came, and how much the server read in all.
 */
async function upload(path: string, chunked: boolean) {
  const accepted = new Promise<Socket>((done) => target.server.once('connection', done));
  const client = await rawConnect(target.apiUrl);
  const serverSide = await accepted;
  const serverClosed = new Promise((done) => serverSide.once('close', done));
  const framing = chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${UPLOAD_BYTES}`;
  const chunk = () => Buffer.concat([Buffer.from(`${PIECE.length.toString(16)}\r\n`), PIECE, Buffer.from('\r\n')]);
  const piece = chunked ? chunk() : PIECE;
  await write(client, requestText(head(path, framing)));
  let sent = 0;
  let sentBeforeAnswer: number | undefined;
  try {
    for (; sent < UPLOAD_BYTES; sent += PIECE.length) {
      if (client.received().includes('\r\n\r\n')) sentBeforeAnswer ??= sent;
      await write(client, piece);
    }
    if (chunked) await write(client, '0\r\n\r\n');
  } catch {
    // The server closed the connection after its answer: the rest of the upload cannot go out.
  }
  await Promise.all([client.closed, serverClosed]);
  const answer = answerOf(client.received());
  return { answer, sentBeforeAnswer: sentBeforeAnswer ?? sent, read: serverSide.bytesRead };
}

/** Each route, the path of a request it would admit but for the body, and the refusal's status. */
const ROUTES = [
  ['POST /v1/sessions/{id}/messages', () => `/v1/sessions/${session.sessionId}/messages`, 413],
  ['POST /v1/sessions/{id}/feedback', () => `/v1/sessions/${session.sessionId}/feedback`, 413],
  ['POST /v1/sessions', () => '/v1/sessions', 413],
  ['an unknown route', () => '/v1/nothing-here', 404],
] as const;

describe.each([
  ['a declared Content-Length of 10 MB', false],
  ['a chunked body streaming past the limit', true],
])('%s', (_name, chunked) => {
  test.each(ROUTES)('on %s is refused early, reading little past the limit', async (_route, path, status) => {
    const expected = await refusalOfSmallOversize(path());

    const { answer, sentBeforeAnswer, read } = await upload(path(), chunked);

    expect(answer).toEqual({ ...expected, status });
    expect(sentBeforeAnswer).toBeLessThan(UPLOAD_BYTES / 2);
    expect(read).toBeLessThan(MAX_BODY_BYTES + 1024 * 1024);
  });
});

test('the messages route answers a body just over the limit 413 payload_too_large, readable by the page', async () => {
  expect(await refusalOfSmallOversize(`/v1/sessions/${session.sessionId}/messages`)).toEqual({
    status: 413,
    allowOrigin: DOCS,
    body: { error: { code: 'payload_too_large', message: 'The request body is too large.' } },
  });
});

test('after the refused uploads the next message is answered', async () => {
  const question = JSON.stringify({ text: 'What is Perch?' });
  const answer = await exchange(`/v1/sessions/${session.sessionId}/messages`, question);
  expect(answer.status).toBe(200);
});
