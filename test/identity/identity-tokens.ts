import { createHmac } from 'node:crypto';
import { SignJWT } from 'jose';

/** Identity tokens as a site's backend mints them, and as an attacker forges them. */
export const SITE_SECRET = 'site-identity-secret-0123456789-abcdefgh';
export const OTHER_SECRET = 'another-widgets-secret-0123456789-abcdef';

const seconds = (ms: number) => Math.floor(ms / 1000);

export function mint(
  claims: Record<string, unknown>,
  { now, secret = SITE_SECRET, lifetimeMs = 3_600_000 }: { now: number; secret?: string; lifetimeMs?: number },
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(seconds(now))
    .setExpirationTime(seconds(now + lifetimeMs))
    .sign(new TextEncoder().encode(secret));
}

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token with any header, signed (or not) by hand: `alg: none`, or RS256 keyed with the HS secret. */
export function forge(header: Record<string, unknown>, claims: Record<string, unknown>, secret?: string): string {
  const signingInput = `${part(header)}.${part(claims)}`;
  const signature = secret ? createHmac('sha256', secret).update(signingInput).digest('base64url') : '';
  return `${signingInput}.${signature}`;
}
