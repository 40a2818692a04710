import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { signedInKey } from '../../functions/identity/signed-in-sessions';
import {
  type ClockedPerch,
  postSession,
  postToSession,
  type StartedSession,
  startClockedPerch,
} from '../api/clocked-perch';
import { forge, mint, OTHER_SECRET, SITE_SECRET } from './identity-tokens';

// A site whose visitors are signed in vouches for them with an HS256 token its backend mints;
// Perch verifies it, binds the session to `sub` and finds that visitor's conversation again.
const SITE = 'https://app.example.com';
const NOW = Date.UTC(2026, 11, 2, 12, 0, 0);
const HOUR = 3_600_000;
let perch: ClockedPerch;

const widget = (extra: Record<string, unknown>) => ({
  name: 'App help',
  model: 'local',
  allowedOrigins: [SITE],
  faq: [{ question: 'How do I export my data?', answer: 'Use Settings, then Export.' }],
  limits: { perMinute: 1000, perDay: 10_000, sessionsPerVisitorPerHour: 3, perVisitorPerDay: 2 },
  ...extra,
});

beforeAll(async () => {
  perch = await startClockedPerch({
    config: {
      models: { local: { provider: 'faq' } },
      widgets: {
        signin: widget({ identity: { secretEnv: 'SITE_IDENTITY_SECRET' } }),
        members: widget({ identity: { secretEnv: 'SITE_IDENTITY_SECRET', required: true } }),
        other: widget({ identity: { secretEnv: 'OTHER_IDENTITY_SECRET' } }),
        anonymous: widget({}),
      },
    },
    startAt: NOW,
    env: { SITE_IDENTITY_SECRET: SITE_SECRET, OTHER_IDENTITY_SECRET: OTHER_SECRET },
  });
});
afterAll(() => perch?.close());

const start = (widgetId: string, extra: Record<string, unknown> = {}) =>
  postSession(perch.url, SITE, { key: perch.publicKey(widgetId), ...extra });
const started = async (widgetId: string, extra: Record<string, unknown> = {}) => {
  const response = await start(widgetId, extra);
  expect(response.status).toBe(201);
  return (await response.json()) as StartedSession;
};
const ask = (session: StartedSession, text: string) =>
  postToSession(perch.url, session.sessionId, 'messages', { text }, { origin: SITE, token: session.token });

/** Every runtime item but the day's counter, which counts refusals by code, and its day-roster entry. */
const itemsBesidesCounters = async () =>
  [...(await perch.runtimeItems()).entries()].filter(([key]) => !/^(COUNTER|ACTIVE)#/.test(key));

describe('a token not minted by the site for this visitor now is identity_invalid; only the refusal counts', () => {
  const at = () => perch.clock.now();
  const claims = { sub: 'user-42' };
  test.each<[string, () => Promise<string> | string]>([
    ['a forged signature', async () => `${(await mint(claims, { now: at() })).slice(0, -4)}AAAA`],
    ['alg none', () => forge({ alg: 'none', typ: 'JWT' }, { ...claims, exp: at() / 1000 + 600 })],
    [
      'RS256 keyed with the HS secret',
      () => forge({ alg: 'RS256' }, { ...claims, exp: at() / 1000 + 600 }, SITE_SECRET),
    ],
    ['HS512 with the right secret', async () => forge({ alg: 'HS512' }, { ...claims, exp: at() / 1000 + 600 })],
    ['expired 2 minutes ago', () => mint(claims, { now: at() - 2 * HOUR, lifetimeMs: 2 * HOUR - 120_000 })],
    ['exp 25 hours ahead', () => mint(claims, { now: at(), lifetimeMs: 25 * HOUR })],
    ['no exp', () => forge({ alg: 'HS256' }, claims, SITE_SECRET)],
    ['no sub', () => mint({ name: 'Ada' }, { now: at() })],
    ['a number as sub', () => mint({ sub: 42 }, { now: at() })],
    ['a 300-character sub', () => mint({ sub: 'x'.repeat(300) }, { now: at() })],
    ['another widget’s secret', () => mint(claims, { now: at(), secret: OTHER_SECRET })],
    ['an aud naming another widget', () => mint({ ...claims, aud: 'other' }, { now: at() })],
    ['not before in an hour', () => mint({ ...claims, nbf: Math.floor(at() / 1000) + 3600 }, { now: at() })],
    ['a huge token (10,000 characters)', () => mint({ ...claims, pad: 'p'.repeat(7000) }, { now: at() })],
    ['garbage', () => 'not.a.jwt'],
    ['a JSON object', () => '{"sub":"user-42"}'],
  ])('%s', async (_label, token) => {
    const before = await itemsBesidesCounters();
    const counted = (await perch.counter('signin'))?.refusals as Record<string, number> | undefined;
    const refused = counted?.identity_invalid ?? 0;
    const response = await start('signin', { identity: await token() });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: { code: 'identity_invalid', message: 'Please sign in to chat.' } });
    expect(await itemsBesidesCounters()).toEqual(before);
    expect((await perch.counter('signin'))!.refusals).toMatchObject({ identity_invalid: refused + 1 });
  });
});

test('the clock skew is 60 s: a token expired 30 s ago still starts, one expired 90 s ago does not', async () => {
  const now = perch.clock.now();
  const lateBy = (ms: number) => mint({ sub: 'skewed' }, { now: now - HOUR, lifetimeMs: HOUR - ms });
  expect((await start('signin', { identity: await lateBy(30_000) })).status).toBe(201);
  expect((await start('signin', { identity: await lateBy(90_000) })).status).toBe(401);
});

test('a token past the body field limit is a bad request, not a crash', async () => {
  const response = await start('signin', { identity: 'x'.repeat(20_000) });
  expect(response.status).toBe(400);
  expect(((await response.json()) as { error: { code: string } }).error.code).toBe('bad_request');
});

test('required: an anonymous start or resume is identity_required; a signed-in one starts', async () => {
  const identity = await mint({ sub: 'member-1' }, { now: perch.clock.now() });
  const session = await started('members', { identity });
  for (const body of [{}, { resume: session.token }, { identity: '' }]) {
    const response = await start('members', body);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: { code: 'identity_required', message: 'Please sign in to chat.' } });
  }
});

test('a widget without identity settings ignores a token: the visitor is anonymous', async () => {
  const identity = await mint({ sub: 'user-42' }, { now: perch.clock.now() });
  const session = await started('anonymous', { identity });
  const items = await perch.runtimeItems();
  expect(items.get(`SESSION#${session.sessionId}|SESSION`)!.sub).toBeUndefined();
});

test('the same sub on a second device gets its conversation; another sub or anonymous visitor does not', async () => {
  perch.clock.set(NOW + 5 * HOUR);
  const now = perch.clock.now();
  const laptop = await started('signin', { identity: await mint({ sub: 'ada', email: 'ada@example.com' }, { now }) });
  expect((await ask(laptop, 'How do I export my data?')).status).toBe(200);

  perch.clock.advance(60_000);
  const phone = await started('signin', { identity: await mint({ sub: 'ada' }, { now: perch.clock.now() }) });
  expect(phone.sessionId).toBe(laptop.sessionId);
  expect(phone.history.map((turn) => turn.text)).toEqual(['How do I export my data?', 'Use Settings, then Export.']);

  const grace = await started('signin', { identity: await mint({ sub: 'grace' }, { now: perch.clock.now() }) });
  expect(grace.history).toEqual([]);
  // Anonymous, even with the signed-in session's resume token: a sub's conversation needs its token.
  const stolen = await started('signin', { resume: laptop.token });
  expect(stolen.sessionId).not.toBe(laptop.sessionId);
  expect(stolen.history).toEqual([]);
  const otherUser = await started('signin', {
    resume: laptop.token,
    identity: await mint({ sub: 'grace' }, { now: perch.clock.now() }),
  });
  expect(otherUser.sessionId).toBe(grace.sessionId);

  // Stored: the sub on the session, and a pointer that holds neither the sub nor any text.
  const items = await perch.runtimeItems();
  expect(items.get(`SESSION#${laptop.sessionId}|SESSION`)!.sub).toBe('ada');
  const pointers = [...items.values()].filter((item) => item.pk === signedInKey('signin', 'ada'));
  expect(pointers).toHaveLength(1);
  expect(JSON.stringify(pointers)).not.toMatch(/ada|export/i);
});

test('per-visitor limits key on sub: two signed-in visitors behind one address each get their own', async () => {
  perch.clock.set(NOW + 30 * HOUR);
  const now = perch.clock.now();
  const tokenOf = (sub: string) => mint({ sub }, { now });
  // sessionsPerVisitorPerHour 3: anonymous visitors behind one address share its budget...
  const anonymous = [];
  for (let i = 0; i < 4; i += 1) anonymous.push((await start('anonymous')).status);
  expect(anonymous).toEqual([201, 201, 201, 429]);
  // ...signed-in visitors behind it each have their own.
  const signedIn = [];
  for (const sub of ['u1', 'u2', 'u3', 'u4'])
    signedIn.push((await start('signin', { identity: await tokenOf(sub) })).status);
  expect(signedIn).toEqual([201, 201, 201, 201]);

  // perVisitorPerDay 2: one sub's third message is refused; another sub on the same address still asks.
  const one = await started('signin', { identity: await tokenOf('u1') });
  const two = await started('signin', { identity: await tokenOf('u2') });
  const asked = async (session: StartedSession) => (await ask(session, 'How do I export my data?')).status;
  expect([await asked(one), await asked(one), await asked(one)]).toEqual([200, 200, 429]);
  expect(await asked(two)).toBe(200);
});

test("the README's Node minting example makes a token this widget accepts", async () => {
  perch.clock.set(Date.now()); // the example mints with the real clock
  const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
  const example = /\/\/ Node, with jose\n([\s\S]*?)```/.exec(readme)![1]!.replace(/^import .*\n/m, '');
  const run = new Function('SignJWT', 'user', 'process', `return (async () => { ${example}; return token; })();`);
  const token: string = await run(SignJWT, { id: 'readme-user' }, { env: { APP_IDENTITY_SECRET: SITE_SECRET } });
  const session = await started('signin', { identity: token });
  expect((await perch.runtimeItems()).get(`SESSION#${session.sessionId}|SESSION`)!.sub).toBe('readme-user');
});
