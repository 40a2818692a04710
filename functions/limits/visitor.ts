import { createHmac } from 'node:crypto';

/**
 * A visitor for `perVisitorPerDay`: a salted hash of the source IP and the UTC day, so the raw
 * address is never stored and a visitor cannot be followed from one day to the next.
 */
export function visitorHash(salt: Buffer, sourceIp: string, day: string): string {
  return createHmac('sha256', salt).update(`${day}\n${sourceIp}`).digest('base64url').slice(0, 22);
}
