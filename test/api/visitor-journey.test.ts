import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAQ_FALLBACK } from '../../functions/providers/faq-provider';
import { nextUtcMidnight } from '../../functions/usage/day';
import { type LocalTarget, startLocalTarget } from '../../infra/local/target';
import { writeConfigFile } from '../fixtures/config-file';
import { parseSse, postToSession, type StartedSession, startSession } from './clocked-perch';

// One visitor's whole conversation through `npm start`'s code path: the local target with the
// faq model — started, streamed to, answered as JSON, limited, refused, resumed and rated.
const DOCS = 'https://docs.example.com';
const ANSWER = 'Raise keyRotation in widgets.config.ts and apply.';
let dir: string;
let target: LocalTarget;
let session: StartedSession;
const key = () => target.outputs.widgets['docs-bot']!.publicKey;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perch-journey-'));
  const configFile = join(dir, 'widgets.config.ts');
  writeConfigFile(configFile, {
    models: { local: { provider: 'faq', streamDelayMs: 0 } },
    widgets: {
      'docs-bot': {
        name: 'Docs',
        model: 'local',
        allowedOrigins: [DOCS],
        limits: { perMinute: 100, perDay: 3 },
        faq: [{ question: 'How do I rotate the key?', answer: ANSWER }],
      },
    },
  });
  target = await startLocalTarget({ configFile, port: 0, log: () => undefined });
});
afterAll(async () => {
  await target?.close();
  rmSync(dir, { recursive: true, force: true });
});

const preflight = (path: string, origin: string) =>
  fetch(`${target.apiUrl}${path}`, {
    method: 'OPTIONS',
    headers: {
      Origin: origin,
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'authorization, content-type',
    },
  });
const send = (text: string, accept: string) =>
  postToSession(target.apiUrl, session.sessionId, 'messages', { text }, { origin: DOCS, token: session.token, accept });

test('the browser may post a session start: the preflight is answered by the handler', async () => {
  const response = await preflight('/v1/sessions', DOCS);
  expect([
    response.status,
    response.headers.get('access-control-allow-origin'),
    response.headers.get('access-control-allow-methods'),
  ]).toEqual([204, DOCS, 'POST, OPTIONS']);
});

test('a visitor starts a session', async () => {
  session = await startSession(target.apiUrl, DOCS, key());
  expect(session.history).toEqual([]);
});

test("the messages preflight is granted to the session's origin and refused to another", async () => {
  const allowed = await preflight(`/v1/sessions/${session.sessionId}/messages`, DOCS);
  const refused = await preflight(`/v1/sessions/${session.sessionId}/messages`, 'https://evil.example.net');

  expect([allowed.status, allowed.headers.get('access-control-allow-headers')]).toEqual([
    204,
    'Content-Type, Authorization, Accept',
  ]);
  expect([refused.status, refused.headers.get('access-control-allow-origin')]).toEqual([403, null]);
});

test('the answer streams word by word as Server-Sent Events', async () => {
  const events = parseSse(await (await send('How do I rotate the key?', 'text/event-stream')).text());

  expect(events.map((e) => e.event)).toEqual([...ANSWER.split(' ').map(() => 'delta'), 'done']);
  expect(
    events
      .slice(0, -1)
      .map((e) => (e.data as { text: string }).text)
      .join(''),
  ).toBe(ANSWER);
});

test('the same route answers JSON when asked, with the fallback for an unknown question', async () => {
  const response = await send('Do you sell shoes?', 'application/json');
  expect(await response.json()).toMatchObject({
    text: FAQ_FALLBACK,
    usage: { inputTokens: expect.any(Number), outputTokens: expect.any(Number) },
  });
});

test('past perDay the visitor is refused 429 with Retry-After to 00:00 UTC', async () => {
  expect((await send('third', 'application/json')).status).toBe(200);

  const refused = await send('fourth', 'application/json');

  expect([refused.status, refused.headers.get('access-control-allow-origin')]).toEqual([429, DOCS]);
  expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('widget_daily_cap_exceeded');
  const toMidnight = (nextUtcMidnight(Date.now()) - Date.now()) / 1000;
  expect(Math.abs(Number(refused.headers.get('retry-after')) - toMidnight)).toBeLessThan(5);
});

test('after a reload the visitor resumes the conversation with its history', async () => {
  const resumed = await startSession(target.apiUrl, DOCS, key(), session.token);

  expect(resumed.sessionId).toBe(session.sessionId);
  expect(resumed.history.map((t) => t.role)).toEqual([
    'visitor',
    'assistant',
    'visitor',
    'assistant',
    'visitor',
    'assistant',
  ]);
  expect(resumed.history[1]!.text).toBe(ANSWER);
  session = resumed;
});

test('the visitor rates an answer', async () => {
  const answer = session.history[1]!;
  const response = await postToSession(
    target.apiUrl,
    session.sessionId,
    'feedback',
    { messageId: answer.id, rating: 'up' },
    { origin: DOCS, token: session.token },
  );
  expect(response.status).toBe(204);
});
