import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalTarget, startLocalTarget } from '../../infra/local/target';
import { parseSse, postToSession, type StartedSession, startSession } from '../api/clocked-perch';
import { writeConfigFile } from '../fixtures/config-file';
import {
  contentChunk,
  endless,
  type FakeOpenAi,
  type ReceivedRequest,
  type Reply,
  startFakeOpenAi,
  streamedAnswer,
} from '../providers/fake-openai-server';
import { nextResponseClosed, type RawClient, rawConnect, requestText, write } from './raw-http';

// A visitor may leave at any moment of a message: before the handler has answered, while the
// answer streams, or while a JSON answer is still being written. None of it may stop the
// local target, and a streamed answer stops its model call. Jest fails the file on any uncaught
// error or unhandled rejection in this process, which is where the local target runs.
const DOCS = 'https://docs.example.com';
const KEY_ENV = 'PERCH_TEST_DISCONNECT_KEY';
let dir: string;
let upstream: FakeOpenAi;
let target: LocalTarget;
let session: StartedSession;

beforeAll(async () => {
  upstream = await startFakeOpenAi();
  process.env[KEY_ENV] = 'sk-local-test';
  dir = mkdtempSync(join(tmpdir(), 'perch-disconnect-'));
  const model = { provider: 'openai', baseUrl: upstream.baseUrl, model: 'gpt-test', apiKeyEnv: KEY_ENV };
  writeConfigFile(join(dir, 'widgets.config.ts'), {
    models: { gpt: model },
    widgets: {
      'docs-bot': { name: 'Docs', model: 'gpt', allowedOrigins: [DOCS], limits: { perMinute: 1000, perDay: 10_000 } },
    },
  });
  target = await startLocalTarget({ configFile: join(dir, 'widgets.config.ts'), port: 0, log: () => undefined });
});

afterAll(async () => {
  await target?.close();
  await upstream?.close();
  delete process.env[KEY_ENV];
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  upstream.received.length = 0;
  session = await startSession(target.apiUrl, DOCS, target.outputs.widgets['docs-bot']!.publicKey);
});

/** Sends a whole message request on a raw socket, so the test decides when it hangs up. */
async function sendMessage(accept: string): Promise<RawClient> {
  const client = await rawConnect(target.apiUrl);
  const body = JSON.stringify({ text: 'How do I rotate the key?' });
  const head = [
    `POST /v1/sessions/${session.sessionId}/messages HTTP/1.1`,
    `Host: ${new URL(target.apiUrl).host}`,
    `Origin: ${DOCS}`,
    `Authorization: Bearer ${session.token}`,
    'Content-Type: application/json',
    `Accept: ${accept}`,
    `Content-Length: ${Buffer.byteLength(body)}`,
  ];
  await write(client, requestText(head, body));
  return client;
}

const NEXT_QUESTION = 'And after a reload?';
const isNextVisitor = (request: ReceivedRequest) => JSON.stringify(request.body.messages).includes(NEXT_QUESTION);

/** Answers the leaving visitor with `script`, and the next visitor (see below) at once. */
function replyToLeaving(script: Reply): void {
  const quick = streamedAnswer(['Raise ', 'keyRotation.']);
  upstream.reply((res, request) => (isNextVisitor(request) ? quick : script)(res, request));
}

/** After a visitor left, the next one still gets a whole answer. */
async function expectStillServing(): Promise<void> {
  const next = await startSession(target.apiUrl, DOCS, target.outputs.widgets['docs-bot']!.publicKey);
  const response = await postToSession(
    target.apiUrl,
    next.sessionId,
    'messages',
    { text: NEXT_QUESTION },
    {
      origin: DOCS,
      token: next.token,
      accept: 'text/event-stream',
    },
  );
  expect(parseSse(await response.text()).map((e) => e.event)).toEqual(['delta', 'delta', 'done']);
}

// Authorization and admission take a few ms on dynalite: hang-ups in that window land while the
// handler has not answered yet, so nothing reads the response stream's errors.
const HANG_UP_MS = [0, 1, 2, 3, 4, 5, 6, 7];
test.each(HANG_UP_MS)('an SSE visitor who hangs up %i ms after the body does not stop the server', async (ms) => {
  replyToLeaving(endless());
  const seen = nextResponseClosed(target.server);
  const client = await sendMessage('text/event-stream');

  await new Promise((done) => setTimeout(done, ms));
  client.socket.destroy();
  await seen;

  await expectStillServing();
  // Left before the handler answered: its model call, if it had begun, was stopped too.
  const abandoned = upstream.received.filter((request) => !isNextVisitor(request));
  expect(await Promise.all(abandoned.map((request) => request.hungUp))).toEqual(abandoned.map(() => true));
});

test('an SSE visitor who hangs up once the answer has begun stops the model call', async () => {
  replyToLeaving(endless());
  const seen = nextResponseClosed(target.server);
  const client = await sendMessage('text/event-stream');

  await client.until(/^HTTP\/1\.1 200/);
  client.socket.destroy();
  await seen;

  expect(await upstream.received[0]!.hungUp).toBe(true);
  await expectStillServing();
});

test('an SSE visitor who hangs up after the first delta stops the model call', async () => {
  replyToLeaving(endless());
  const seen = nextResponseClosed(target.server);
  const client = await sendMessage('text/event-stream');

  await client.until(/event: delta/);
  client.socket.destroy();
  await seen;

  expect(await upstream.received[0]!.hungUp).toBe(true);
  await expectStillServing();
});

test('a JSON visitor who hangs up mid-answer does not stop the server', async () => {
  const seen = nextResponseClosed(target.server);
  let called!: () => void;
  let finished!: () => void;
  const upstreamCalled = new Promise<void>((done) => (called = done));
  const answered = new Promise<void>((done) => (finished = done));
  // The upstream writes half an answer, waits until the visitor has left, then completes it.
  replyToLeaving(async (res) => {
    called();
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    res.write(`data: ${contentChunk('Raise ')}\n\n`);
    await seen;
    res.end(`data: ${contentChunk('keyRotation.')}\n\ndata: [DONE]\n\n`);
    finished();
  });
  const client = await sendMessage('application/json');

  await upstreamCalled;
  client.socket.destroy();
  await answered;

  await expectStillServing();
});
