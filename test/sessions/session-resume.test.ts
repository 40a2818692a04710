import { signSessionToken, TOKEN_LIFETIME_MS } from '../../functions/sessions/session-token';
import { type ClockedPerch, postToSession, startConversation, startSession } from '../api/clocked-perch';
import { ask, claimsOf, DOCS, HOUR, SHOP, startSessionPerch } from './session-perch';

// Resuming a session with its token (see session-perch.ts).

let perch: ClockedPerch;
beforeEach(async () => void (perch = await startSessionPerch()));
afterEach(() => perch.close());

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
    const session = await startConversation(perch, DOCS, 'docs-bot', 'rotate?');
    perch.clock.advance(24 * HOUR);

    const resumed = await startSession(perch.url, DOCS, perch.publicKey('docs-bot'), session.token);
    expect([resumed.sessionId, resumed.history.length]).toEqual([session.sessionId, 2]);
    expect(await ask(perch, resumed.sessionId, resumed.token)).toMatchObject({ status: 200 });
  });

  test('the same token from another allowed origin starts a new session instead', async () => {
    const session = await startConversation(perch, DOCS, 'docs-bot', 'rotate?');

    const elsewhere = await startSession(perch.url, SHOP, perch.publicKey('docs-bot'), session.token);
    expect(elsewhere.sessionId).not.toBe(session.sessionId);
    expect([elsewhere.history, claimsOf(elsewhere.token).org]).toEqual([[], SHOP]);
  });

  test("a token of another widget's session starts a new session and reveals none of its history", async () => {
    const other = await startConversation(perch, DOCS, 'other-bot', 'rotate?');

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
        const pushedBack = Buffer.from(JSON.stringify({ ...claims, exp: Number(claims.exp) + 86_400 }));
        return `${pushedBack.toString('base64url')}.${signature}`;
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
    const session = await startConversation(perch, DOCS, 'docs-bot', 'rotate?');
    perch.clock.advance(8 * 24 * HOUR);

    const resumed = await startSession(perch.url, DOCS, perch.publicKey('docs-bot'), session.token);
    expect(resumed.sessionId).not.toBe(session.sessionId);
  });
});
