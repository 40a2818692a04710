import {
  type ConversationsPageFixture,
  IMG,
  listedIds,
  SCRIPT,
  SITE,
  SVG,
  startConversationsPageFixture,
} from './conversations-page-fixture';

// What the operator reads on /_perch/conversations: the listing and its filters, one
// conversation whole, and stored text that arrives as text whatever it holds.
let page: ConversationsPageFixture;
beforeAll(async () => {
  page = await startConversationsPageFixture();
});
afterAll(() => page?.close());

const PAGE_TAGS = new Set(
  (
    '!doctype html head meta title style body h1 h2 h3 p nav a form label input select option button code ' +
    'table thead tbody tr th td section ol li span'
  ).split(' '),
);
/** Every tag of the page (opening, closing, doctype) with its attribute names; values are double-quoted. */
const pageTags = (body: string) =>
  [...body.matchAll(/<(!doctype|\/?[a-z][a-z0-9]*)((?:\s+[a-z-]+(?:="[^"<>]*")?)*)\s*>/gi)].map((match) => ({
    name: match[1]!.replace(/^\//, '').toLowerCase(),
    attributes: [...match[2]!.matchAll(/\s+([a-z-]+)(?:="[^"<>]*")?/gi)].map((attribute) =>
      attribute[1]!.toLowerCase(),
    ),
  }));
const hrefs = (body: string) => [...body.matchAll(/href="([^"]*)"/g)].map((match) => match[1]!);

test('the listing shows conversations per widget and day, with retention, ratings and the first question', async () => {
  const { status, body } = await page.send('/_perch/conversations');

  expect(status).toBe(200);
  expect(listedIds(body)).toEqual([
    page.sessions.twoDaysAgo,
    page.sessions.today,
    'hostile-0001',
    page.sessions.yesterday,
  ]);
  expect(listedIds(body)).not.toContain('expired-0001');
  expect(body).toContain('Kept 30 days after the last turn; the oldest kept day is 2026-11-02.');
  expect(body).toContain('Kept 7 days after the last turn; the oldest kept day is 2026-11-25.');
  expect(body).toContain('<h3>2026-12-01: 0 conversations (+1 session opened without a message)</h3>');
  expect(body).toContain(
    `<tr><td>12:00:01</td><td class="text"><a href="/_perch/conversations?session=${page.sessions.today}">` +
      `${page.sessions.today}</a></td><td>2</td><td>2026-12-02 12:00</td><td>1</td><td>0</td>` +
      '<td class="text">—</td><td class="text">Où est ma FACTURE ?</td></tr>',
  );
  expect(body).toContain('<a href="/_perch/usage">usage</a>');
  expect(body).toContain('<code>npm run conversations -- --erase &lt;id&gt;</code>');
  expect(body).toContain('<form method="get" action="/_perch/conversations">');
  expect(body).toContain('4 conversations in 2 widgets.');
});

test.each<[string, string, () => string[]]>([
  ['one widget', 'widget=shop', () => [page.sessions.yesterday]],
  ['today only', 'days=1', () => [page.sessions.today, 'hostile-0001']],
  ['rated down', 'rating=down', () => [page.sessions.twoDaysAgo]],
  ['rated up, one widget', 'rating=up&widget=docs', () => [page.sessions.today, 'hostile-0001']],
  [
    'text in any case or accent (shop has "factures" too)',
    'search=factur%C3%A9',
    () => [page.sessions.today, page.sessions.yesterday],
  ],
  ["a visitor's words in one widget", 'search=factur%C3%A9&widget=docs', () => [page.sessions.today]],
  ['words of the answer', 'search=under+billing&widget=shop', () => [page.sessions.yesterday]],
  ['nothing matches', 'search=refund', () => []],
  [
    'the empty fields of the filter form',
    'days=&widget=&rating=&search=',
    () => [page.sessions.twoDaysAgo, page.sessions.today, 'hostile-0001', page.sessions.yesterday],
  ],
])('filter: %s', async (_label, query, expected) => {
  const { status, body } = await page.send(`/_perch/conversations?${query}`);

  expect(status).toBe(200);
  expect(listedIds(body)).toEqual(expected());
});

test('a widget filter lists only that widget; an unknown one says so', async () => {
  const shop = await page.send('/_perch/conversations?widget=shop');
  const unknown = await page.send('/_perch/conversations?widget=gone-bot');

  expect(shop.body).toContain('<h2>shop — Shop</h2>');
  expect(shop.body).not.toContain('<h2>docs');
  expect(shop.body).toContain('<a href="/_perch/usage?widget=shop">usage</a>');
  expect(unknown.body).toContain('<p>Not in the config, and no conversations of it in these days.</p>');
});

test('one conversation reads turn by turn with its times and rating, and the command that erases it', async () => {
  const { status, body } = await page.send(`/_perch/conversations?session=${page.sessions.today}`);

  expect(status).toBe(200);
  expect(body).toContain(`<h1>Conversation ${page.sessions.today}</h1>`);
  expect(body).toContain(`Widget docs, ${SITE}, anonymous visitor.`);
  expect(body).toContain('1 rated up, 0 down.');
  expect(body).toContain(
    '<section class="turn"><h3>12:00:01 UTC · visitor</h3><p class="said">Où est ma FACTURE ?</p>',
  );
  expect(body).toContain(
    '<section class="turn assistant"><h3>12:00:01 UTC · assistant, rated up</h3>' +
      '<p class="said">Invoices (factures) are under Billing.</p></section>',
  );
  expect(body).toContain(`<code>npm run conversations -- --erase ${page.sessions.today}</code>`);
  expect(body).toContain('<a href="/_perch/conversations?days=7&#38;widget=docs">conversations of docs</a>');
});

test('sources are numbered; only an http(s) URL becomes a link, without a referrer', async () => {
  const { body } = await page.send('/_perch/conversations?session=hostile-0001');

  expect(body).toContain(
    '<ol class="sources"><li>Guide &#60;script&#62;alert(1)&#60;/script&#62; ' +
      '<span class="status">(docs/guide.md, javascript:alert(1))</span></li>' +
      '<li><a href="https://docs.example.com/install?a=1&#38;b=%222%22" rel="noreferrer">Install</a> ' +
      '<span class="status">(docs/install.md)</span></li>' +
      '<li>Local notes <span class="status">(notes/local.md)</span></li></ol>',
  );
  expect(
    hrefs(body).filter((href) => !href.startsWith('/_perch/') && !href.startsWith('https://docs.example.com/')),
  ).toEqual([]);
});

test.each([
  ['the conversation', '/_perch/conversations?session=hostile-0001'],
  ['the listing', '/_perch/conversations?days=1'],
  ['the listing searched for markup', `/_perch/conversations?search=${encodeURIComponent(SVG)}`],
])('hostile text in %s is escaped: every tag is the page’s own', async (_label, path) => {
  const { status, body } = await page.send(path);
  const tags = pageTags(body);

  expect(status).toBe(200);
  // Every "<" opens one of the page's tags: stored text never adds one.
  expect(tags.length).toBe(body.split('<').length - 1);
  expect(tags.filter(({ name }) => !PAGE_TAGS.has(name))).toEqual([]);
  expect(tags.flatMap(({ attributes }) => attributes.filter((name) => name.startsWith('on')))).toEqual([]);
  expect(body).not.toMatch(/<script/i);
  expect(body).not.toMatch(/href="\s*javascript:/i);
});

test('a widget name with markup is escaped in the listing', async () => {
  const { body } = await page.send('/_perch/conversations?widget=docs');

  expect(body).toContain('<h2>docs — Docs &#60;img src=x onerror=alert(1)&#62;</h2>');
});

test('each hostile field of a conversation arrives as its escaped text', async () => {
  const { body } = await page.send('/_perch/conversations?session=hostile-0001');
  const escaped = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

  expect(body).toContain(`<p class="said">${escaped(`${SCRIPT} and ${IMG}`)}</p>`);
  expect(body).toContain(`<p class="said">${escaped(`Try ${SVG} here`)}</p>`);
  expect(body).toContain(`signed in as ${escaped(`<b>user</b>${SVG}`)}`);
  expect(body).toContain(escaped(`https://evil.example${SVG}`));
});

test('an expired conversation is not listed and not found; an unknown one is a 404 page', async () => {
  const listing = await page.send('/_perch/conversations?days=30');
  const expired = await page.send('/_perch/conversations?session=expired-0001');
  const unknown = await page.send('/_perch/conversations?session=no-such-session');

  expect(listing.body).not.toContain('expired-0001');
  expect(listing.body).not.toContain('long gone');
  for (const answer of [expired, unknown]) {
    expect(answer.status).toBe(404);
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
  }
  expect(expired.body).toContain('No conversation expired-0001: erased, expired or never stored.');
  expect(expired.body).not.toContain('long gone');
});

test('the usage page links to the conversations of the same days and widget', async () => {
  const { body } = await page.send('/_perch/usage?days=30&widget=docs');

  expect(body).toContain('<a href="/_perch/conversations?days=30&amp;widget=docs">conversations</a>');
});

test('reading the pages writes nothing', async () => {
  const before = await page.perch.runtimeItems();

  for (const path of ['', '?days=30&rating=up', `?session=${page.sessions.today}`, '?session=expired-0001'])
    await page.send(`/_perch/conversations${path}`);

  expect(await page.perch.runtimeItems()).toEqual(before);
});
