import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../functions/records/client';
import { DEFAULT_TABLE_NAME } from '../../functions/records/table';
import { sessionKey } from '../../functions/sessions/session-record';
import { counterKey } from '../../functions/usage/counter-record';
import { utcDay } from '../../functions/usage/day';
import { localClientConfig } from '../../infra/local/database';
import { type LocalTarget, startLocalTarget } from '../../infra/local/target';
import { writeConfigFile } from '../fixtures/config-file';
import {
  brokenMidway,
  endless,
  type FakeOpenAi,
  httpError,
  startFakeOpenAi,
  streamedAnswer,
} from '../providers/fake-openai-server';
import { parseSse, postToSession, type StartedSession, startSession } from './clocked-perch';

// An `openai` binding on the local target, talking to a fake OpenAI-compatible server that
// speaks the real streaming wire format: relayed deltas, usage and cost, failures refunded.
const DOCS = 'https://docs.example.com';
const KEY_ENV = 'PERCH_TEST_LLM_KEY';
const FAILED = { code: 'upstream_error', message: 'Failed to send message. Please try again.' };
let dir: string;
let upstream: FakeOpenAi;
let target: LocalTarget;
let table: ReturnType<typeof createDocumentClient>;
let session: StartedSession;

beforeAll(async () => {
  upstream = await startFakeOpenAi();
  process.env[KEY_ENV] = 'sk-local-test';
  dir = mkdtempSync(join(tmpdir(), 'perch-openai-'));
  const configFile = join(dir, 'widgets.config.ts');
  const model = {
    provider: 'openai',
    baseUrl: upstream.baseUrl,
    model: 'gpt-test',
    apiKeyEnv: KEY_ENV,
    pricing: { inputPerMTok: 2, outputPerMTok: 8 },
  };
  writeConfigFile(configFile, {
    models: { gpt: model, unkeyed: { ...model, apiKeyEnv: 'PERCH_TEST_UNSET_KEY' } },
    widgets: {
      'docs-bot': {
        name: 'Docs',
        model: 'gpt',
        systemPrompt: 'You answer questions about Perch.',
        allowedOrigins: [DOCS],
        limits: { perMinute: 1000, perDay: 10_000 },
      },
      unready: { name: 'Unready', model: 'unkeyed', allowedOrigins: [DOCS] },
    },
  });
  target = await startLocalTarget({ configFile, port: 0, log: () => undefined });
  table = createDocumentClient(new DynamoDBClient(localClientConfig(target.databaseEndpoint)));
});
afterAll(async () => {
  table?.destroy();
  await target?.close();
  await upstream?.close();
  delete process.env[KEY_ENV];
  rmSync(dir, { recursive: true, force: true });
});

let errorLog: jest.SpyInstance;
beforeEach(async () => {
  errorLog = jest.spyOn(Logger.prototype, 'error');
  upstream.received.length = 0;
  session = await startSession(target.apiUrl, DOCS, target.outputs.widgets['docs-bot']!.publicKey);
});
afterEach(() => errorLog.mockRestore());

const send = (accept = 'text/event-stream', signal?: AbortSignal, to = session) =>
  postToSession(
    target.apiUrl,
    to.sessionId,
    'messages',
    { text: 'How do I rotate the key?' },
    { origin: DOCS, token: to.token, accept, signal },
  );
const counter = async () =>
  (
    await table.send(
      new GetCommand({
        TableName: DEFAULT_TABLE_NAME,
        Key: counterKey('docs-bot', utcDay(Date.now())),
        ConsistentRead: true,
      }),
    )
  ).Item ?? {};
const turnsStored = async () =>
  Object.keys(
    ((await table.send(new GetCommand({ TableName: DEFAULT_TABLE_NAME, Key: sessionKey(session.sessionId) }))).Item
      ?.turns ?? {}) as object,
  ).length;

test("the upstream's deltas are relayed as they come, and done carries the usage of its final chunk", async () => {
  upstream.reply(streamedAnswer(['Raise ', 'keyRotation', '.'], { usage: [120, 6] }));
  const before = await counter();

  const events = parseSse(await (await send()).text());

  expect(events).toEqual([
    { event: 'delta', data: { text: 'Raise ' } },
    { event: 'delta', data: { text: 'keyRotation' } },
    { event: 'delta', data: { text: '.' } },
    {
      event: 'done',
      data: { messageId: expect.any(String), usage: { inputTokens: 120, outputTokens: 6 }, sources: [] },
    },
  ]);
  const after = await counter();
  expect([after.inputTokens - (before.inputTokens ?? 0), after.outputTokens - (before.outputTokens ?? 0)]).toEqual([
    120, 6,
  ]);
  expect(after.costUsd - (before.costUsd ?? 0)).toBeCloseTo((120 * 2 + 6 * 8) / 1e6, 12);
});

test('the upstream gets the widget system prompt, the visitor text and the key from apiKeyEnv', async () => {
  upstream.reply(streamedAnswer(['ok']));
  await (await send('application/json')).json();

  expect(upstream.received[0]!.headers.authorization).toBe('Bearer sk-local-test');
  expect(upstream.received[0]!.body.messages).toEqual([
    { role: 'system', content: 'You answer questions about Perch.' },
    { role: 'user', content: 'How do I rotate the key?' },
  ]);
});

test('a stream that breaks mid-way ends with an error event, gives the count back and stores no turn', async () => {
  upstream.reply(brokenMidway(['Raise ', 'key']));
  const before = await counter();

  const events = parseSse(await (await send()).text());

  expect(events.at(-1)).toEqual({ event: 'error', data: FAILED });
  expect(events.slice(0, -1).every((e) => e.event === 'delta')).toBe(true);
  expect((await counter()).messages).toBe(before.messages);
  expect(await turnsStored()).toBe(0);
});

test('a 429 from upstream is 502 upstream_error in JSON mode, with the count given back', async () => {
  upstream.reply(httpError(429, 'Rate limit reached'));
  const before = await counter();

  const response = await send('application/json');

  expect([response.status, await response.json()]).toEqual([502, { error: FAILED }]);
  expect((await counter()).messages).toBe(before.messages);
});

test('a 429 from upstream is an error event on an SSE stream', async () => {
  upstream.reply(httpError(429, 'Rate limit reached'));
  const response = await send();
  expect([response.status, parseSse(await response.text())]).toEqual([200, [{ event: 'error', data: FAILED }]]);
});

test('a visitor who disconnects closes the upstream request', async () => {
  upstream.reply(endless());
  const visitor = new AbortController();

  const response = await send('text/event-stream', visitor.signal);
  await response.body!.getReader().read();
  visitor.abort();

  expect(await upstream.received[0]!.hungUp).toBe(true);
});

test('a binding whose apiKeyEnv is not set answers 503 bot_not_ready without calling upstream', async () => {
  const unready = await startSession(target.apiUrl, DOCS, target.outputs.widgets.unready!.publicKey);
  const response = await send('application/json', undefined, unready);

  expect([response.status, ((await response.json()) as { error: { code: string } }).error.code]).toEqual([
    503,
    'bot_not_ready',
  ]);
  expect(upstream.received).toEqual([]);
  expect(errorLog).toHaveBeenCalledWith('bot not ready', {
    widgetId: 'unready',
    reason: expect.stringContaining('environment variable PERCH_TEST_UNSET_KEY is not set'),
  });
});
