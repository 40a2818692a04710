import { KEY_GRACE_MS } from '../../functions/keys/public-key';
import { sessionKey } from '../../functions/sessions/session-record';
import { signSessionToken, TOKEN_LIFETIME_MS } from '../../functions/sessions/session-token';
import { type ClockedPerch, postSession, postToSession, startClockedPerch, startSession } from '../api/clocked-perch';

// Sessions against dynalite through the real handlers, with an injected clock; config changes
// (rotation, pause, delete, origins) are applied by the reconciler, as `npm start` does.
const DOCS = 'https://docs.example.com';
const SHOP = 'https://shop.example.com';
const T0 = Date.UTC(2026, 10, 24, 9, 0, 0);
const HOUR = 3_600_000;
const faq = [{ question: 'How do I rotate the key?', answer: 'Raise keyRotation and apply.' }];

type WidgetConfig = Record<string, unknown>;
const docsBot = (overrides: WidgetConfig = {}): WidgetConfig => ({
  name: 'Docs',
  model: 'local',
  allowedOrigins: [DOCS, SHOP],
  limits: { perMinute: 1000, perDay: 10_000 },
  retentionDays: 7,
  faq,
  ...overrides,
});
const configWith = (widgets: Record<string, WidgetConfig>) => ({ models: { local: { provider: 'faq' } }, widgets });
const BASE = { 'docs-bot': docsBot(), 'other-bot': { name: 'Other', model: 'local', allowedOrigins: [DOCS], faq } };

let perch: ClockedPerch;
beforeEach(async () => {
  perch = await startClockedPerch({ config: configWith(BASE), startAt: T0 });
});
afterEach(() => perch.close());

const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;

async function ask(sessionId: string, token: string, origin = DOCS) {
  const response = await postToSession(
    perch.url,
    sessionId,
    'messages',
    { text: 'How do I rotate the key?' },
    { origin, token },
  );
  const body = (await response.json()) as { text?: string; error?: { code: string } };
  return {
    status: response.status,
    code: body.error?.code,
    allowOrigin: response.headers.get('access-control-allow-origin'),
  };
}

async function rotateDocsBot() {
  await perch.apply(configWith({ ...BASE, 'docs-bot': docsBot({ keyRotation: 1 }) }));
}

describe('starting a session', () => {
  test('a new session is bound to its widget, origin and key version, valid one hour, with no history', async () => {
    const started = await startSession(perch.url, SHOP, perch.publicKey('docs-bot'));

    expect(claimsOf(started.token)).toEqual({
      sid: started.sessionId,
      wid: 'docs-bot',
      org: SHOP,
      kv: 0,
      exp: (T0 + TOKEN_LIFETIME_MS) / 1000,
    });
    expect(started.expiresAt).toBe(new Date(T0 + TOKEN_LIFETIME_MS).toISOString());
    expect(started.history).toEqual([]);
    const items = await perch.runtimeItems();
    expect(items.get(`${sessionKey(started.sessionId).pk}|SESSION`)).toMatchObject({
      widgetId: 'docs-bot',
      origin: SHOP,
      keyVersion: 0,
      expiresAt: T0 / 1000 + 7 * 86_400,
      turns: {},
    });
    expect(await perch.counter('docs-bot')).toMatchObject({ sessions: 1 });
  });

  test('a paused widget starts no session: 404 widget_disabled', async () => {
    await perch.apply(configWith({ ...BASE, 'docs-bot': docsBot({ status: 'paused' }) }));
    const response = await postSession(perch.url, DOCS, { key: perch.publicKey('docs-bot') });
    expect([response.status, ((await response.json()) as { error: { code: string } }).error.code]).toEqual([
      404,
      'widget_disabled',
    ]);
  });
});

describe('key rotation', () => {
  test('after a rotation the old key starts no new session and the new key does', async () => {
    const oldKey = perch.publicKey('docs-bot');
    await rotateDocsBot();

    const refused = await postSession(perch.url, DOCS, { key: oldKey });
    expect([refused.status, ((await refused.json()) as { error: { code: string } }).error.code]).toEqual([
      404,
      'key_rotated',
    ]);
    const started = await startSession(perch.url, DOCS, perch.publicKey('docs-bot'));
    expect(claimsOf(started.token).kv).toBe(1);
  });

  test('a session started with the old key keeps answering during the 2-hour grace', async () => {
    const session = await startSession(perch.url, DOCS, perch.publicKey('docs-bot'));
    await rotateDocsBot();
    perch.clock.advance(HOUR / 2);

    expect(await ask(session.sessionId, session.token)).toMatchObject({ status: 200 });
  });

  test('a session of the old key resumed late in the grace is refused key_rotated the moment the grace ends', async () => {
    const oldKey = perch.publicKey('docs-bot');
    const session = await startSession(perch.url, DOCS, oldKey);
    await rotateDocsBot();
    perch.clock.advance(KEY_GRACE_MS - 60_000);
    const resumed = await startSession(perch.url, DOCS, oldKey, session.token); // token expired, session in grace
    expect([resumed.sessionId, claimsOf(resumed.token).kv]).toEqual([session.sessionId, 0]);
    expect(await ask(resumed.sessionId, resumed.token)).toMatchObject({ status: 200 });

    perch.clock.advance(60_000); // exactly rotation + 2 h: the fresh token is valid, the key version is not
    expect(await ask(resumed.sessionId, resumed.token)).toEqual({
      status: 404,
      code: 'key_rotated',
      allowOrigin: DOCS,
    });
  });

  test('the appearance of the old key is served during the grace, then refused key_rotated', async () => {
    const oldKey = perch.publicKey('docs-bot');
    await rotateDocsBot();
    const appearance = () => fetch(`${perch.url}/v1/widgets/${oldKey}`, { headers: { Origin: DOCS } });

    perch.clock.advance(KEY_GRACE_MS - 1);
    expect((await appearance()).status).toBe(200);
    perch.clock.advance(1);
    const refused = await appearance();
    expect([refused.status, ((await refused.json()) as { error: { code: string } }).error.code]).toEqual([
      404,
      'key_rotated',
    ]);
  });

  test('a page already on the new key resumes its old-key session onto the new key version, so it outlives the grace', async () => {
    const session = await startSession(perch.url, DOCS, perch.publicKey('docs-bot'));
    await ask(session.sessionId, session.token);
    await rotateDocsBot();
    perch.clock.advance(HOUR);

    const resumed = await startSession(perch.url, DOCS, perch.publicKey('docs-bot'), session.token);
    expect([resumed.sessionId, claimsOf(resumed.token).kv, resumed.history.length]).toEqual([session.sessionId, 1, 2]);
    perch.clock.advance(KEY_GRACE_MS); // past the grace: the conversation goes on
    const later = await startSession(perch.url, DOCS, perch.publicKey('docs-bot'), resumed.token);
    expect(await ask(later.sessionId, later.token)).toMatchObject({ status: 200 });
    expect(later.sessionId).toBe(session.sessionId);
  });

  test('resuming an old-key session after the grace starts a new session on the current key', async () => {
    const session = await startSession(perch.url, DOCS, perch.publicKey('docs-bot'));
    await ask(session.sessionId, session.token);
    await rotateDocsBot();
    perch.clock.advance(KEY_GRACE_MS);

    const resumed = await startSession(perch.url, DOCS, perch.publicKey('docs-bot'), session.token);
    expect(resumed.sessionId).not.toBe(session.sessionId);
    expect([resumed.history, claimsOf(resumed.token).kv]).toEqual([[], 1]);
  });
});

describe('config changes refuse open sessions at their next request', () => {
  test('deleting the widget: 404 widget_not_found for messages and feedback', async () => {
    const session = await startSession(perch.url, DOCS, perch.publicKey('docs-bot'));
    const answer = (await (
      await postToSession(
        perch.url,
        session.sessionId,
        'messages',
        { text: 'rotate?' },
        { origin: DOCS, token: session.token },
      )
    ).json()) as {
      messageId: string;
    };
    await perch.apply(configWith({ 'other-bot': BASE['other-bot'] }));

    expect(await ask(session.sessionId, session.token)).toEqual({
      status: 404,
      code: 'widget_not_found',
      allowOrigin: DOCS,
    });
    const feedback = await postToSession(
      perch.url,
      session.sessionId,
      'feedback',
      { messageId: answer.messageId, rating: 'up' },
      { origin: DOCS, token: session.token },
    );
    expect(feedback.status).toBe(404);
  });

  test('pausing the widget: 404 widget_disabled, readable by the session origin', async () => {
    const session = await startSession(perch.url, DOCS, perch.publicKey('docs-bot'));
    await perch.apply(configWith({ ...BASE, 'docs-bot': docsBot({ status: 'paused' }) }));

    expect(await ask(session.sessionId, session.token)).toEqual({
      status: 404,
      code: 'widget_disabled',
      allowOrigin: DOCS,
    });
  });

  test('removing an origin: 403 widget_origin_denied without a CORS grant, while the remaining origin keeps working', async () => {
    const onShop = await startSession(perch.url, SHOP, perch.publicKey('docs-bot'));
    const onDocs = await startSession(perch.url, DOCS, perch.publicKey('docs-bot'));
    await perch.apply(configWith({ ...BASE, 'docs-bot': docsBot({ allowedOrigins: [DOCS] }) }));

    expect(await ask(onShop.sessionId, onShop.token, SHOP)).toEqual({
      status: 403,
      code: 'widget_origin_denied',
      allowOrigin: null,
    });
    expect(await ask(onDocs.sessionId, onDocs.token)).toMatchObject({ status: 200 });
  });
});

describe('resuming a session', () => {
  test('resume returns the same session with its history, oldest first, and a fresh token', async () => {
    const session = await startSession(perch.url, DOCS, perch.publicKey('docs-bot'));
    for (const text of ['first question', 'second question']) {
      perch.clock.advance(1000);
      await postToSession(perch.url, session.sessionId, 'messages', { text }, { origin: DOCS, token: session.token });
    }
    perch.clock.advance(10 * 60_000);

    const resumed = await startSession(perch.url, DOCS, perch.publicKey('docs-bot'), session.token);

    expect(resumed.sessionId).toBe(session.sessionId);
    expect(resumed.history.map(({ role, text }) => [role, text])).toEqual([
      ['visitor', 'first question'],
      ['assistant', expect.any(String)],
      ['visitor', 'second question'],
      ['assistant', expect.any(String)],
    ]);
    expect(claimsOf(resumed.token).exp).toBe((perch.clock.now() + TOKEN_LIFETIME_MS) / 1000);
    expect((await perch.counter('docs-bot'))?.sessions).toBe(1);
  });

  test('an expired but genuine token resumes the session the next day', async () => {
    const session = await startSession(perch.url, DOCS, perch.publicKey('docs-bot'));
    await postToSession(
      perch.url,
      session.sessionId,
      'messages',
      { text: 'rotate?' },
      { origin: DOCS, token: session.token },
    );
    perch.clock.advance(24 * HOUR);

    const resumed = await startSession(perch.url, DOCS, perch.publicKey('docs-bot'), session.token);
    expect([resumed.sessionId, resumed.history.length]).toEqual([session.sessionId, 2]);
    expect(await ask(resumed.sessionId, resumed.token)).toMatchObject({ status: 200 });
  });

  test('the same token from another allowed origin starts a new session instead', async () => {
    const session = await startSession(perch.url, DOCS, perch.publicKey('docs-bot'));
    await postToSession(
      perch.url,
      session.sessionId,
      'messages',
      { text: 'rotate?' },
      { origin: DOCS, token: session.token },
    );

    const elsewhere = await startSession(perch.url, SHOP, perch.publicKey('docs-bot'), session.token);
    expect(elsewhere.sessionId).not.toBe(session.sessionId);
    expect([elsewhere.history, claimsOf(elsewhere.token).org]).toEqual([[], SHOP]);
  });

  test("a token of another widget's session starts a new session and reveals none of its history", async () => {
    const other = await startSession(perch.url, DOCS, perch.publicKey('other-bot'));
    await postToSession(
      perch.url,
      other.sessionId,
      'messages',
      { text: 'rotate?' },
      { origin: DOCS, token: other.token },
    );

    const resumed = await startSession(perch.url, DOCS, perch.publicKey('docs-bot'), other.token);
    expect(resumed.sessionId).not.toBe(other.sessionId);
    expect([resumed.history, claimsOf(resumed.token).wid]).toEqual([[], 'docs-bot']);
  });

  test.each([
    ['signed with another secret', (token: string) => signSessionToken(claimsOf(token) as never, Buffer.alloc(32, 7))],
    [
      'with its expiry pushed back and the signature kept',
      (token: string) => {
        const [, signature] = token.split('.');
        const claims = claimsOf(token);
        return `${Buffer.from(JSON.stringify({ ...claims, exp: Number(claims.exp) + 86_400 })).toString('base64url')}.${signature}`;
      },
    ],
    ['cut short', (token: string) => token.slice(0, -3)],
    ['not a token at all', () => 'hello'],
  ])('a resume token %s starts a new session', async (_name, forge) => {
    const session = await startSession(perch.url, DOCS, perch.publicKey('docs-bot'));
    const resumed = await startSession(perch.url, DOCS, perch.publicKey('docs-bot'), forge(session.token));
    expect(resumed.sessionId).not.toBe(session.sessionId);
    expect(resumed.history).toEqual([]);
  });

  test('a session past its retention is not resumed', async () => {
    const session = await startSession(perch.url, DOCS, perch.publicKey('docs-bot'));
    await postToSession(
      perch.url,
      session.sessionId,
      'messages',
      { text: 'rotate?' },
      { origin: DOCS, token: session.token },
    );
    perch.clock.advance(8 * 24 * HOUR);

    const resumed = await startSession(perch.url, DOCS, perch.publicKey('docs-bot'), session.token);
    expect(resumed.sessionId).not.toBe(session.sessionId);
  });
});

test('a token an hour old is refused session_expired at the next message', async () => {
  const session = await startSession(perch.url, DOCS, perch.publicKey('docs-bot'));
  perch.clock.advance(TOKEN_LIFETIME_MS);
  expect(await ask(session.sessionId, session.token)).toEqual({
    status: 401,
    code: 'session_expired',
    allowOrigin: DOCS,
  });
});
