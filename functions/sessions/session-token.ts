import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod/mini';
import { MAX_ORIGIN_LENGTH } from '../origins/origin';

/** What a session token binds: session, widget, origin and key version, until `exp`. */
export const tokenClaimsSchema = z.strictObject({
  sid: z.uuid(),
  wid: z.string().check(z.minLength(1), z.maxLength(64)),
  org: z.string().check(z.minLength(1), z.maxLength(MAX_ORIGIN_LENGTH)),
  kv: z.int().check(z.gte(0)),
  exp: z.int().check(z.gt(0)),
});
export type TokenClaims = z.infer<typeof tokenClaimsSchema>;

/** Short-lived on purpose: a lost token is worth an hour; the widget resumes silently. */
export const TOKEN_LIFETIME_MS = 60 * 60 * 1000;
const MAX_TOKEN_LENGTH = 1024;

const sign = (payload: string, key: Buffer) => createHmac('sha256', key).update(payload).digest();

/** `base64url(claims JSON) + "." + base64url(HMAC-SHA256)`. */
export function signSessionToken(claims: TokenClaims, key: Buffer): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${payload}.${sign(payload, key).toString('base64url')}`;
}

export type TokenCheck = { ok: true; claims: TokenClaims; expired: boolean } | { ok: false };

/**
 * Verifies the signature (constant time) and the claims' shape; expiry is reported, not
 * refused, because resuming a session accepts an expired but genuine token.
 */
export function verifySessionToken(token: string, key: Buffer, now: number): TokenCheck {
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false };
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) return { ok: false };
  // Compared as text: base64url decoding skips stray characters and unused bits, which would
  // let many strings pass for one token.
  const expected = Buffer.from(sign(payload, key).toString('base64url'));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false };
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false };
  }
  const parsed = tokenClaimsSchema.safeParse(claims);
  if (!parsed.success) return { ok: false };
  return { ok: true, claims: parsed.data, expired: parsed.data.exp * 1000 <= now };
}

/** The token from `Authorization: Bearer <token>`, if any. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  return match?.[1];
}
