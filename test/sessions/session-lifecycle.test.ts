import { KEY_GRACE_MS } from '../../functions/keys/public-key';
import { sessionKey } from '../../functions/sessions/session-record';
import { TOKEN_LIFETIME_MS } from '../../functions/sessions/session-token';
import { type ClockedPerch, postSession, postToSession, startConversation, startSession } from '../api/clocked-perch';
import {
  ask,
  BASE,
  claimsOf,
  configWith,
  DOCS,
  docsBot,
  HOUR,
  rotateDocsBot,
  SHOP,
  startSessionPerch,
  T0,
} from './session-perch';

// Starting a session, key rotation, config changes and token expiry (see session-perch.ts);
// resuming a session is in session-resume.test.ts.

let perch: ClockedPerch;
beforeEach(async () => void (perch = await startSessionPerch()));
afterEach(() => perch.close());

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
    await rotateDocsBot(perch);

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
    await rotateDocsBot(perch);
    perch.clock.advance(HOUR / 2);

    expect(await ask(perch, session.sessionId, session.token)).toMatchObject({ status: 200 });
  });

  test(
    'a session of the old key resumed late in the grace ' + 'is refused key_rotated the moment the grace ends',
    async () => {
      const oldKey = perch.publicKey('docs-bot');
      const session = await startSession(perch.url, DOCS, oldKey);
      await rotateDocsBot(perch);
      perch.clock.advance(KEY_GRACE_MS - 60_000);
      const resumed = await startSession(perch.url, DOCS, oldKey, session.token); // token expired, session in grace
      expect([resumed.sessionId, claimsOf(resumed.token).kv]).toEqual([session.sessionId, 0]);
      expect(await ask(perch, resumed.sessionId, resumed.token)).toMatchObject({ status: 200 });

      perch.clock.advance(60_000); // exactly rotation + 2 h: the fresh token is valid, the key version is not
      expect(await ask(perch, resumed.sessionId, resumed.token)).toEqual({
        status: 404,
        code: 'key_rotated',
        allowOrigin: DOCS,
      });
    },
  );

  test('the appearance of the old key is served during the grace, then refused key_rotated', async () => {
    const oldKey = perch.publicKey('docs-bot');
    await rotateDocsBot(perch);
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

  test(
    'a page already on the new key resumes its old-key session onto the new key version, ' + 'so it outlives the grace',
    async () => {
      const session = await startSession(perch.url, DOCS, perch.publicKey('docs-bot'));
      await ask(perch, session.sessionId, session.token);
      await rotateDocsBot(perch);
      perch.clock.advance(HOUR);

      const resumed = await startSession(perch.url, DOCS, perch.publicKey('docs-bot'), session.token);
      expect([resumed.sessionId, claimsOf(resumed.token).kv, resumed.history.length]).toEqual([
        session.sessionId,
        1,
        2,
      ]);
      perch.clock.advance(KEY_GRACE_MS); // past the grace: the conversation goes on
      const later = await startSession(perch.url, DOCS, perch.publicKey('docs-bot'), resumed.token);
      expect(await ask(perch, later.sessionId, later.token)).toMatchObject({ status: 200 });
      expect(later.sessionId).toBe(session.sessionId);
    },
  );

  test('resuming an old-key session after the grace starts a new session on the current key', async () => {
    const session = await startSession(perch.url, DOCS, perch.publicKey('docs-bot'));
    await ask(perch, session.sessionId, session.token);
    await rotateDocsBot(perch);
    perch.clock.advance(KEY_GRACE_MS);

    const resumed = await startSession(perch.url, DOCS, perch.publicKey('docs-bot'), session.token);
    expect(resumed.sessionId).not.toBe(session.sessionId);
    expect([resumed.history, claimsOf(resumed.token).kv]).toEqual([[], 1]);
  });
});

describe('config changes refuse open sessions at their next request', () => {
  test('deleting the widget: 404 widget_not_found for messages and feedback', async () => {
    const session = await startConversation(perch, DOCS, 'docs-bot', 'rotate?');
    await perch.apply(configWith({ 'other-bot': BASE['other-bot'] }));

    expect(await ask(perch, session.sessionId, session.token)).toEqual({
      status: 404,
      code: 'widget_not_found',
      allowOrigin: DOCS,
    });
    const feedback = await postToSession(
      perch.url,
      session.sessionId,
      'feedback',
      { messageId: session.messageId, rating: 'up' },
      { origin: DOCS, token: session.token },
    );
    expect(feedback.status).toBe(404);
  });

  test('pausing the widget: 404 widget_disabled, readable by the session origin', async () => {
    const session = await startSession(perch.url, DOCS, perch.publicKey('docs-bot'));
    await perch.apply(configWith({ ...BASE, 'docs-bot': docsBot({ status: 'paused' }) }));

    expect(await ask(perch, session.sessionId, session.token)).toEqual({
      status: 404,
      code: 'widget_disabled',
      allowOrigin: DOCS,
    });
  });

  test(
    'removing an origin: 403 widget_origin_denied without a CORS grant, ' + 'while the remaining origin keeps working',
    async () => {
      const onShop = await startSession(perch.url, SHOP, perch.publicKey('docs-bot'));
      const onDocs = await startSession(perch.url, DOCS, perch.publicKey('docs-bot'));
      await perch.apply(configWith({ ...BASE, 'docs-bot': docsBot({ allowedOrigins: [DOCS] }) }));

      expect(await ask(perch, onShop.sessionId, onShop.token, SHOP)).toEqual({
        status: 403,
        code: 'widget_origin_denied',
        allowOrigin: null,
      });
      expect(await ask(perch, onDocs.sessionId, onDocs.token)).toMatchObject({ status: 200 });
    },
  );
});

test('a token an hour old is refused session_expired at the next message', async () => {
  const session = await startSession(perch.url, DOCS, perch.publicKey('docs-bot'));
  perch.clock.advance(TOKEN_LIFETIME_MS);
  expect(await ask(perch, session.sessionId, session.token)).toEqual({
    status: 401,
    code: 'session_expired',
    allowOrigin: DOCS,
  });
});
