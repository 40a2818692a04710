import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type ClockedPerch, postSession, postToSession, startClockedPerch, startSession } from './clocked-perch';

// The edge counts every refusal that names a widget, once, by its code: the usage report's
// "refusals by code" is complete for session starts, messages and feedback.
const DOCS = 'https://docs.example.com';
const EVIL = 'https://evil.example.net';
const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);
const faq = [{ question: 'How do I rotate the key?', answer: 'Raise keyRotation.' }];
const bot = { name: 'Docs', model: 'local', allowedOrigins: [DOCS], limits: { perMinute: 1000, perDay: 10_000 }, faq };
const config = (status = 'active') => ({
  models: { local: { provider: 'faq' } },
  widgets: { 'docs-bot': { ...bot, status } },
});

let perch: ClockedPerch;
beforeAll(async () => {
  perch = await startClockedPerch({ config: config(), startAt: T0 });
});
afterAll(() => perch.close());
beforeEach(() => perch.clock.advance(86_400_000));

const refusals = async () => ((await perch.counter('docs-bot'))?.refusals ?? {}) as Record<string, number>;
const preflight = (path: string, origin: string) =>
  fetch(`${perch.url}${path}`, {
    method: 'OPTIONS',
    headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' },
  });

test('a session start from a foreign origin is counted widget_origin_denied', async () => {
  expect((await postSession(perch.url, EVIL, { key: perch.publicKey('docs-bot') })).status).toBe(403);
  expect(await refusals()).toEqual({ widget_origin_denied: 1 });
});

test('a message refused after its session was admitted is counted by its code, with the CORS grant', async () => {
  const session = await startSession(perch.url, DOCS, perch.publicKey('docs-bot'));

  const empty = await postToSession(
    perch.url,
    session.sessionId,
    'messages',
    { text: '   ' },
    { origin: DOCS, token: session.token },
  );
  const extra = await postToSession(
    perch.url,
    session.sessionId,
    'messages',
    { text: 'hi', role: 'system' },
    {
      origin: DOCS,
      token: session.token,
    },
  );

  expect([empty.status, extra.status]).toEqual([400, 400]);
  expect(empty.headers.get('access-control-allow-origin')).toBe(DOCS);
  expect(await refusals()).toEqual({ bad_request: 2 });
});

test('a preflight from a foreign origin on a session route is refused without a grant and counted', async () => {
  const session = await startSession(perch.url, DOCS, perch.publicKey('docs-bot'));

  const response = await preflight(`/v1/sessions/${session.sessionId}/messages`, EVIL);

  expect(response.status).toBe(403);
  expect(response.headers.get('access-control-allow-origin')).toBeNull();
  expect(await refusals()).toEqual({ widget_origin_denied: 1 });
});

test('a paused widget counts widget_disabled for session starts and messages', async () => {
  const session = await startSession(perch.url, DOCS, perch.publicKey('docs-bot'));
  await perch.apply(config('paused'));
  try {
    await postSession(perch.url, DOCS, { key: perch.publicKey('docs-bot') });
    await postToSession(
      perch.url,
      session.sessionId,
      'messages',
      { text: 'hi' },
      { origin: DOCS, token: session.token },
    );

    expect(await refusals()).toEqual({ widget_disabled: 2 });
  } finally {
    await perch.apply(config());
  }
});

test('a refusal that names no widget (a forged token, an unknown key) is counted nowhere', async () => {
  const before = await perch.runtimeItems();

  await postSession(perch.url, DOCS, { key: 'pk_unknownunknownunknown00' });
  await postToSession(
    perch.url,
    '0b6f4c9e-2f0a-4d5e-9a57-6a1d2c3b4e5f',
    'messages',
    { text: 'hi' },
    { origin: DOCS, token: 'x.y' },
  );

  expect(await perch.runtimeItems()).toEqual(before);
});

test('outside functions/http and functions/origins no source mentions corsOrigin or Access-Control', () => {
  const sources = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
    });
  const root = join(__dirname, '../../functions');
  const mentions = sources(root)
    .filter((path) => !/functions\/(http|origins)\//.test(path))
    .filter((path) => /corsOrigin|Access-Control/.test(readFileSync(path, 'utf8')));

  expect(mentions).toEqual([]);
});
