import { visitorHash, visitorNetwork } from '../../functions/limits/visitor';

const SALT = Buffer.alloc(32, 3);

test('a visitor is a short base64url hash that does not contain the IP', () => {
  const hash = visitorHash(SALT, { sourceIp: '203.0.113.7' }, '2026-11-24');
  expect(hash).toMatch(/^[A-Za-z0-9_-]{22}$/);
  expect(hash).not.toContain('203');
});

test('the same IP on the same day is the same visitor', () => {
  expect(visitorHash(SALT, { sourceIp: '203.0.113.7' }, '2026-11-24')).toBe(
    visitorHash(SALT, { sourceIp: '203.0.113.7' }, '2026-11-24'),
  );
});

test.each([
  ['another IP', [SALT, '203.0.113.8', '2026-11-24']],
  ['the next day (a visitor cannot be followed across days)', [SALT, '203.0.113.7', '2026-11-25']],
  ['another salt (another deployment)', [Buffer.alloc(32, 4), '203.0.113.7', '2026-11-24']],
] as const)('%s is another visitor', (_name, [salt, ip, day]) => {
  expect(visitorHash(salt, { sourceIp: ip }, day)).not.toBe(
    visitorHash(SALT, { sourceIp: '203.0.113.7' }, '2026-11-24'),
  );
});

// One IPv6 subscriber holds a whole /64 and may use any address in it: keyed on the full address,
// one host would be unlimited visitors.
test.each([
  ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
  ['2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:db8:1:2::/64'],
  ['2001:0DB8:0001:0002:0:0:0:7', '2001:db8:1:2::/64'],
  ['2001:db8::', '2001:db8:0:0::/64'],
  ['::1', '0:0:0:0::/64'],
  ['fe80::1%eth0', 'fe80:0:0:0::/64'],
  ['2001:db8:1:2::1.2.3.4', '2001:db8:1:2::/64'],
  ['::ffff:203.0.113.7', '203.0.113.7'],
  ['203.0.113.7', '203.0.113.7'],
])('the visitor network of %s is %s', (ip, network) => {
  expect(visitorNetwork(ip)).toBe(network);
});

test('two addresses of one IPv6 /64 are one visitor; the next /64 is another', () => {
  const day = '2026-11-24';
  const one = visitorHash(SALT, { sourceIp: '2001:db8:1:2::1' }, day);
  expect(visitorHash(SALT, { sourceIp: '2001:db8:1:2:dead:beef:1234:5678' }, day)).toBe(one);
  expect(visitorHash(SALT, { sourceIp: '2001:db8:1:3::1' }, day)).not.toBe(one);
});
