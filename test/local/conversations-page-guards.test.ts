import { createHash } from 'node:crypto';
import {
  type ConversationsPageFixture,
  listedIds,
  nonLoopbackAddress,
  SITE,
  startConversationsPageFixture,
} from './conversations-page-fixture';

// Who may see /_perch/conversations, with which headers, and which queries it refuses: the same
// guards as /_perch/usage (one copy, infra/local/operator-page.ts), tested the same way.
let page: ConversationsPageFixture;
beforeAll(async () => {
  page = await startConversationsPageFixture();
});
afterAll(() => page?.close());

test('the page allows its own stylesheet and GET form, no script, no framing, no caching', async () => {
  const { headers, body } = await page.send('/_perch/conversations');
  const style = /<style>([^<]*)<\/style>/.exec(body)![1]!;
  const hash = createHash('sha256').update(style).digest('base64');

  expect(headers['content-security-policy']).toBe(
    `default-src 'none'; style-src 'sha256-${hash}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  );
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['cache-control']).toBe('no-store');
  expect(headers['referrer-policy']).toBe('no-referrer');
  expect(headers['x-content-type-options']).toBe('nosniff');
});

test('a request through a non-loopback address gets a 404, as if the page did not exist', async () => {
  const address = nonLoopbackAddress();
  if (!address) {
    console.warn('skipped: this machine has no non-loopback IPv4 address to connect through');
    return;
  }

  const answer = await page.send(`/_perch/conversations?session=${page.sessions.today}`, { address });

  expect(answer.status).toBe(404);
  expect(JSON.parse(answer.body)).toEqual({ error: { code: 'not_found', message: 'No such route.' } });
});

test.each([
  ['an allowed widget origin', 403, { Origin: SITE, 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'cors' }],
  ['Origin: null', 403, { Origin: 'null' }],
  ['a cross-site request without Origin', 403, { 'Sec-Fetch-Site': 'cross-site' }],
  ['a same-site page (another localhost port)', 403, { 'Sec-Fetch-Site': 'same-site' }],
  ['a rebound DNS name in Host', 403, { Host: 'attacker.example:80' }],
  ['a typed URL (Sec-Fetch-Site: none)', 200, { 'Sec-Fetch-Site': 'none' }],
  ['a link on the page itself', 200, { 'Sec-Fetch-Site': 'same-origin' }],
  ['Host 127.0.0.1', 200, { Host: '127.0.0.1' }],
])('%s → %i', async (_, status, headers) => {
  const answer = await page.send(`/_perch/conversations?session=${page.sessions.today}`, { headers });

  expect(answer.status).toBe(status);
  expect(answer.headers['access-control-allow-origin']).toBeUndefined();
  if (status !== 200) expect(answer.body).not.toContain('FACTURE');
});

test('only GET and HEAD are answered; HEAD has no body', async () => {
  const post = await page.send('/_perch/conversations', { method: 'POST' });
  const head = await page.send('/_perch/conversations', { method: 'HEAD' });

  expect(post.status).toBe(405);
  expect(post.headers.allow).toBe('GET, HEAD');
  expect(head.status).toBe(200);
  expect(head.body).toBe('');
});

test.each([
  ['days 0', 'days=0', 'days must be a whole number from 1 to 3650.'],
  ['days 3651', 'days=3651', 'days must be a whole number from 1 to 3650.'],
  ['days abc', 'days=abc', 'days must be a whole number from 1 to 3650.'],
  ['a widget that is no id', 'widget=%3Cscript%3E', 'widget must be a widget id such as docs-bot.'],
  ['rating sideways', 'rating=sideways', 'rating must be up or down.'],
  ['a parameter given twice', 'rating=up&rating=down', 'rating is given more than once.'],
  ['a 201-character search', `search=${'x'.repeat(201)}`, 'search must be at most 200 characters.'],
  ['a session that is no id', 'session=%3Cscript%3E', 'session must be a session id as the listing shows it.'],
  ['a session with a listing filter', 'session=abc&days=7', 'days filters the listing; it does not apply to session.'],
  ['an unknown parameter', '%3Cscript%3E=1', 'Unknown parameter &#34;&#60;script&#62;&#34;'],
])('%s → 400 saying why', async (_label, query, message) => {
  const answer = await page.send(`/_perch/conversations?${query}`);

  expect(answer.status).toBe(400);
  expect(answer.body).toContain(message);
  expect(answer.body).not.toContain('<script>');
});

test('the longest listing, 3650 days, is answered', async () => {
  const answer = await page.send('/_perch/conversations?days=3650');

  expect(answer.status).toBe(200);
  expect(listedIds(answer.body)).toHaveLength(4);
});
