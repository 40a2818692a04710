import { visitorHash } from '../../functions/limits/visitor';

const SALT = Buffer.alloc(32, 3);

test('a visitor is a short base64url hash that does not contain the IP', () => {
  const hash = visitorHash(SALT, '203.0.113.7', '2026-11-24');
  expect(hash).toMatch(/^[A-Za-z0-9_-]{22}$/);
  expect(hash).not.toContain('203');
});

test('the same IP on the same day is the same visitor', () => {
  expect(visitorHash(SALT, '203.0.113.7', '2026-11-24')).toBe(visitorHash(SALT, '203.0.113.7', '2026-11-24'));
});

test.each([
  ['another IP', [SALT, '203.0.113.8', '2026-11-24']],
  ['the next day (a visitor cannot be followed across days)', [SALT, '203.0.113.7', '2026-11-25']],
  ['another salt (another deployment)', [Buffer.alloc(32, 4), '203.0.113.7', '2026-11-24']],
] as const)('%s is another visitor', (_name, [salt, ip, day]) => {
  expect(visitorHash(salt, ip, day)).not.toBe(visitorHash(SALT, '203.0.113.7', '2026-11-24'));
});
