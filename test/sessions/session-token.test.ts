import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import {
  bearerToken,
  signSessionToken,
  type TokenClaims,
  verifySessionToken,
} from '../../functions/sessions/session-token';

const KEY = Buffer.alloc(32, 1);
const NOW = Date.UTC(2026, 10, 24, 12);
const CLAIMS: TokenClaims = {
  sid: '0b6f4c9e-2f0a-4d5e-9a57-6a1d2c3b4e5f',
  wid: 'docs-bot',
  org: 'https://docs.example.com',
  kv: 2,
  exp: NOW / 1000 + 3600,
};
const TOKEN = signSessionToken(CLAIMS, KEY);
const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** A token whose signature is genuine for its payload: only the claims' shape can refuse it. */
const signedPayload = (payload: string) =>
  `${payload}.${createHmac('sha256', KEY).update(payload).digest('base64url')}`;

test('a signed token verifies with its claims and is not expired before exp', () => {
  expect(verifySessionToken(TOKEN, KEY, NOW)).toEqual({ ok: true, claims: CLAIMS, expired: false });
});

test('expiry is reported, not refused: at exp the token is genuine but expired', () => {
  expect(verifySessionToken(TOKEN, KEY, CLAIMS.exp * 1000)).toEqual({ ok: true, claims: CLAIMS, expired: true });
  expect(verifySessionToken(TOKEN, KEY, CLAIMS.exp * 1000 - 1)).toMatchObject({ expired: false });
});

const [payload, signature] = TOKEN.split('.') as [string, string];
test.each([
  ['signed with another key', signSessionToken(CLAIMS, Buffer.alloc(32, 2))],
  ['claims changed, signature kept', `${encode({ ...CLAIMS, kv: 3 })}.${signature}`],
  [
    'another session id, signature kept',
    `${encode({ ...CLAIMS, sid: '11111111-2f0a-4d5e-9a57-6a1d2c3b4e5f' })}.${signature}`,
  ],
  [
    'signature of another payload',
    `${payload}.${signSessionToken({ ...CLAIMS, exp: CLAIMS.exp + 1 }, KEY).split('.')[1]}`,
  ],
  ['no signature', `${payload}.`],
  ['no payload', `.${signature}`],
  ['a third segment', `${TOKEN}.${signature}`],
  ['empty', ''],
  ['a JWT-style alg:none token', `${encode({ alg: 'none' })}.${encode(CLAIMS)}.`],
  ['longer than 1,024 characters', signedPayload(encode({ ...CLAIMS, wid: 'x'.repeat(1000) }))],
  ['a genuine signature over non-JSON', signedPayload(Buffer.from('not json').toString('base64url'))],
  ['a genuine signature over an extra claim', signedPayload(encode({ ...CLAIMS, role: 'system' }))],
  [
    'a genuine signature over a missing claim',
    signedPayload(encode({ sid: CLAIMS.sid, wid: CLAIMS.wid, org: CLAIMS.org, exp: CLAIMS.exp })),
  ],
  ['a genuine signature over a string key version', signedPayload(encode({ ...CLAIMS, kv: '2' }))],
  [
    'a genuine signature over a session id that is not a uuid',
    signedPayload(encode({ ...CLAIMS, sid: '../../WIDGET#x' })),
  ],
])('a token %s is refused', (_name, token) => {
  expect(verifySessionToken(token, KEY, NOW)).toEqual({ ok: false });
});

test('arbitrary strings never throw and never verify', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 1200 }), (token) => {
      expect(verifySessionToken(token, KEY, NOW)).toEqual({ ok: false });
    }),
    { numRuns: 2000 },
  );
});

test('a token verifies only in the exact form it was issued: any edit is refused', () => {
  const edits = fc.oneof(
    // replace one character
    fc
      .tuple(fc.nat({ max: TOKEN.length - 1 }), fc.string({ minLength: 1, maxLength: 1 }))
      .map(([i, c]) => TOKEN.slice(0, i) + c + TOKEN.slice(i + 1)),
    // insert characters anywhere (including ones base64 decoders skip: "=", "!", whitespace)
    fc
      .tuple(fc.nat({ max: TOKEN.length }), fc.constantFrom('=', '==', '!', ' ', '\n', '.', 'A', '%'))
      .map(([i, s]) => TOKEN.slice(0, i) + s + TOKEN.slice(i)),
    // drop characters
    fc
      .tuple(fc.nat({ max: TOKEN.length - 1 }), fc.integer({ min: 1, max: 4 }))
      .map(([i, n]) => TOKEN.slice(0, i) + TOKEN.slice(i + n)),
  );
  fc.assert(
    fc.property(edits, (edited) => {
      fc.pre(edited !== TOKEN);
      expect(verifySessionToken(edited, KEY, NOW)).toEqual({ ok: false });
    }),
    { numRuns: 3000 },
  );
});

test.each([
  ['Bearer abc.def', 'abc.def'],
  ['bearer abc.def', 'abc.def'],
  ['Bearer   abc.def', 'abc.def'],
  ['Basic abc.def', undefined],
  ['Bearer', undefined],
  ['Bearer abc def', undefined],
  ['abc.def', undefined],
  [undefined, undefined],
])('bearerToken(%j) is %j', (header, token) => {
  expect(bearerToken(header)).toBe(token);
});
