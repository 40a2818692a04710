import { jwtVerify } from 'jose';
import { PerchError } from '../errors/perch-error';

/** Clock difference tolerated between the site's backend and Perch on `exp`, `nbf` and `iat`. */
export const IDENTITY_CLOCK_SKEW_SECONDS = 60;
/** The longest a site may let its token live: a leaked token stops working within a day. */
export const MAX_IDENTITY_LIFETIME_SECONDS = 24 * 3600;
/** Far above any honest token (a few hundred characters); bounds the work spent on one. */
export const MAX_IDENTITY_TOKEN_CHARS = 4096;
/** HS256 secrets shorter than this are guessable offline from one token (RFC 7518 § 3.2). */
export const MIN_IDENTITY_SECRET_BYTES = 32;
const MAX_SUB_CHARS = 256;

/** A visitor the site vouched for: only `sub` is kept (name and email are not stored). */
export interface VerifiedIdentity {
  sub: string;
}

const invalid = (cause?: unknown) => new PerchError('identity_invalid', { cause });

/**
 * Verifies a site-minted identity token with jose: HS256 only (so `none`, RS256 with the secret
 * as a public key and every other algorithm are refused), `exp` required and at most 24 hours
 * ahead, `sub` a non-empty string, and an `aud`, when the site sets one, naming this widget.
 * Any failure is `identity_invalid`; the reason stays in `cause` for the logs.
 */
export async function verifyIdentityToken(
  token: string,
  { secret, widgetId, now }: { secret: string; widgetId: string; now: number },
): Promise<VerifiedIdentity> {
  const key = new TextEncoder().encode(secret);
  // A short secret is the operator's mistake, not the visitor's: it fails loudly as a 500.
  if (key.byteLength < MIN_IDENTITY_SECRET_BYTES) {
    throw new Error(`identity secret of widget ${widgetId} is shorter than ${MIN_IDENTITY_SECRET_BYTES} bytes`);
  }
  if (token.length > MAX_IDENTITY_TOKEN_CHARS) throw invalid(new Error('token too long'));
  let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
  try {
    ({ payload } = await jwtVerify(token, key, {
      algorithms: ['HS256'],
      requiredClaims: ['exp', 'sub'],
      clockTolerance: IDENTITY_CLOCK_SKEW_SECONDS,
      currentDate: new Date(now),
    }));
  } catch (error) {
    throw invalid(error);
  }
  const { sub, exp, aud } = payload;
  if (typeof exp !== 'number' || exp > now / 1000 + MAX_IDENTITY_LIFETIME_SECONDS + IDENTITY_CLOCK_SKEW_SECONDS) {
    throw invalid(new Error('exp more than 24 hours ahead'));
  }
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > MAX_SUB_CHARS) {
    throw invalid(new Error(`sub must be a string of 1 to ${MAX_SUB_CHARS} characters`));
  }
  if (aud !== undefined && !(Array.isArray(aud) ? aud : [aud]).includes(widgetId)) {
    throw invalid(new Error('aud names another widget'));
  }
  return { sub };
}
