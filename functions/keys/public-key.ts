import { randomBytes } from 'node:crypto';

/** `pk_` + base64url; 24 random bytes give 32 characters and 192 bits from the CSPRNG. */
export const PUBLIC_KEY_PATTERN = /^pk_[A-Za-z0-9_-]{22,}$/;

/** Generates a new public widget key. Public by design: origins and limits protect it. */
export function generatePublicKey(): string {
  return `pk_${randomBytes(24).toString('base64url')}`;
}

/** Grace period during which sessions created with a rotated key keep working. */
export const KEY_GRACE_MS = 2 * 60 * 60 * 1000;
