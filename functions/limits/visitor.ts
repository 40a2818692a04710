import { createHmac } from 'node:crypto';
import { isIPv6 } from 'node:net';

/**
 * The part of an address that names one visitor: an IPv4 address whole, an IPv6 address by its
 * /64 (one subscriber's network: a host picks any of its 2^64 addresses at will). IPv4-mapped
 * IPv6 (`::ffff:203.0.113.7`) is its IPv4 address; a zone (`%eth0`) is dropped.
 */
export function visitorNetwork(sourceIp: string): string {
  const address = sourceIp.split('%')[0]!.toLowerCase();
  if (!isIPv6(address)) return address;
  const mapped = /^(?:0{0,4}:){0,5}:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (mapped) return mapped[1]!;
  const [head = '', tail = ''] = address.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = address.includes('::') ? (tail ? tail.split(':') : []) : [];
  // An embedded IPv4 tail only ever falls in the last 64 bits: counting it as two groups is enough.
  const tailLength = tailGroups.reduce((n, group) => n + (group.includes('.') ? 2 : 1), 0);
  const zeros = Array<string>(Math.max(0, 8 - headGroups.length - tailLength)).fill('0');
  const groups = [...headGroups, ...zeros, ...tailGroups].slice(0, 4);
  return `${groups.map((group) => group.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/**
 * A visitor for the per-visitor limits: a salted hash of the signed-in `sub`, or else of the
 * visitor's network (see `visitorNetwork`), and the UTC day, so neither is stored raw and a
 * visitor cannot be followed from one day to the next. A `sub` never hashes like an address.
 */
export function visitorHash(salt: Buffer, visitor: { sub: string } | { sourceIp: string }, day: string): string {
  const who = 'sub' in visitor ? `sub\n${visitor.sub}` : visitorNetwork(visitor.sourceIp);
  return createHmac('sha256', salt).update(`${day}\n${who}`).digest('base64url').slice(0, 22);
}
