import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ANSWERS, type Harness, hostPage, newPage, startHarness, widget } from './harness';

const ARTIFACTS = join(__dirname, '../../test-artifacts');
const ORIGIN_DENIED = 'This website is not authorized to use this widget.';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
  const docs = harness.keys.docs!;
  hostPage(harness, '/docs', { key: docs, body: '<a href="#top">Top of the page</a>' });
  hostPage(harness, '/bare', { key: docs });
  hostPage(harness, '/paused', { key: harness.keys.paused! });
  hostPage(harness, '/light', { key: harness.keys.light! });
  hostPage(harness, '/light-overridden', {
    key: harness.keys.light!,
    attributes: 'data-position="bottom-right" data-greeting="Hello from the tag."',
  });
  hostPage(harness, '/dead-host', { key: docs, attributes: 'data-host="http://127.0.0.1:9"' });
  hostPage(harness, '/queue', { key: docs, head: '<script src="/queue.js"></script>' });
  hostPage(harness, '/no-widget', { key: docs });
  harness.files.set('/no-widget', { body: '<!doctype html><title>x</title><p>no widget', contentType: 'text/html' });
  harness.files.set('/queue.js', {
    contentType: 'text/javascript',
    body: `window.events = [];
window.Perch = { q: [
  ['on', 'open', () => events.push('open')],
  ['on', 'close', () => events.push('close')],
  ['on', 'message', (m) => events.push(m.role + ': ' + m.text)],
  ['open'],
] };`,
  });
  const api = harness.target.apiUrl;
  hostPage(
    harness,
    '/strict',
    { key: docs, head: '<link rel="stylesheet" href="/hostile.css">', body: '<div><p>Page content</p></div>' },
    {
      'Content-Security-Policy': `default-src 'none'; script-src ${api}; connect-src ${api}; style-src 'self'; img-src 'none'`,
    },
  );
  harness.files.set('/hostile.css', {
    contentType: 'text/css',
    body: `* { all: unset !important; }
div { display: none !important; }
button, textarea, [role="dialog"] { display: none !important; visibility: hidden !important; }
html, body { font-size: 40px; color: red; }
:root { --p: red; --on-p: red; }`,
  });
});

afterAll(async () => {
  await harness?.close();
});

/** Resolves with each different text the newest answer showed while streaming. */
async function recordAnswerStates(page: Page): Promise<void> {
  await page.evaluate(() => {
    const root = document.querySelector('perch-widget')!.shadowRoot!;
    const states: string[] = ((window as any).answerStates = []);
    new MutationObserver(() => {
      const answers = root.querySelectorAll('.m.a:not(.t) .d');
      const text = answers[answers.length - 1]?.textContent ?? '';
      if (text && text !== states[states.length - 1]) states.push(text);
    }).observe(root, { subtree: true, childList: true, characterData: true });
  });
}

const shadowActiveLabel = (page: Page) =>
  page.evaluate(() => {
    const active = document.querySelector('perch-widget')?.shadowRoot?.activeElement;
    return active?.getAttribute('aria-label') ?? active?.tagName ?? null;
  });

const lastAnswer = (page: Page) => page.locator('perch-widget .m.a:not(.t)').last();

test('clicking the bubble opens a labelled dialog with the focus in the message box; Esc closes it and focus returns', async () => {
  const { context, page } = await newPage(harness);
  await page.goto(`${harness.allowed.url}/docs`);
  const { bubble, dialog, input } = widget(page);
  await expectAttribute(bubble, 'aria-label', 'Open chat: Docs assistant');
  await expectAttribute(bubble, 'aria-expanded', 'false');

  await bubble.click();

  await page.getByRole('dialog', { name: 'Docs assistant' }).waitFor();
  await expectAttribute(bubble, 'aria-expanded', 'true');
  expect(await dialog.getByText('Hello from the test widget.').isVisible()).toBe(true);
  expect(await input.getAttribute('placeholder')).toBe('Ask the test widget');
  expect(await shadowActiveLabel(page)).toBe('Message');

  await page.keyboard.press('Escape');

  await dialog.waitFor({ state: 'hidden' });
  expect(await shadowActiveLabel(page)).toBe('Open chat: Docs assistant');
  await context.close();
});

test('the widget works by keyboard alone: Tab to the bubble, Enter opens it, Enter sends', async () => {
  const { context, page } = await newPage(harness);
  await page.goto(`${harness.allowed.url}/docs`);
  await widget(page).bubble.waitFor();

  await page.keyboard.press('Tab'); // the page's own link
  await page.keyboard.press('Tab');
  expect(await shadowActiveLabel(page)).toBe('Open chat: Docs assistant');
  await page.keyboard.press('Enter');
  await widget(page).dialog.waitFor();
  expect(await shadowActiveLabel(page)).toBe('Message');
  await page.keyboard.type('How do I rotate the key?');
  await page.keyboard.press('Enter');

  await page.getByRole('button', { name: 'Helpful', exact: true }).waitFor();
  expect(await lastAnswer(page).innerText()).toContain('Raise keyRotation and apply.');
  await page.keyboard.press('Shift+Tab'); // from the message box back to the rating buttons and beyond
  expect(await shadowActiveLabel(page)).not.toBe('Message');
  await context.close();
});

test('a quick action streams its faq answer in parts, renders the markdown subset safely, announces it, and takes a rating', async () => {
  const { context, page } = await newPage(harness);
  await page.goto(`${harness.allowed.url}/docs`);
  await widget(page).bubble.click();
  await widget(page).dialog.waitFor();
  await recordAnswerStates(page);

  await page.getByRole('button', { name: 'How do I rotate the key?' }).click();
  const helpful = page.getByRole('button', { name: 'Helpful', exact: true });
  await helpful.waitFor();

  const final = 'Raise keyRotation and apply. Old sessions keep working for 2 hours:planapplySee the docs or this.';
  const states: string[] = await page.evaluate(() => (window as any).answerStates);
  expect(states[states.length - 1]).toBe(final);
  expect(states.filter((s) => s !== final).length).toBeGreaterThanOrEqual(3); // arrived in parts
  const answer = lastAnswer(page);
  expect(await answer.locator('strong').innerText()).toBe('keyRotation');
  expect(await answer.locator('em').innerText()).toBe('working');
  expect(await answer.locator('code').innerText()).toBe('2 hours');
  expect(await answer.locator('ul > li').allInnerTexts()).toEqual(['plan', 'apply']);
  const links = answer.locator('a');
  expect(await links.count()).toBe(1); // the javascript: link stays text
  expect(await links.evaluate((a: HTMLAnchorElement) => [a.href, a.rel, a.target, a.textContent])).toEqual([
    'https://docs.example.com/keys',
    'noopener noreferrer',
    '_blank',
    'the docs',
  ]);
  expect(await page.locator('perch-widget [aria-live="polite"]').textContent()).toBe(ANSWERS.rotate);
  expect(await page.locator('perch-widget .c').isHidden()).toBe(true); // quick actions go once the chat starts

  const feedback = page.waitForResponse((r) => r.url().endsWith('/feedback') && r.request().method() === 'POST');
  await helpful.click();
  expect((await feedback).status()).toBe(204);
  expect((await feedback).request().postDataJSON()).toMatchObject({ rating: 'up' });
  await expectAttribute(helpful, 'aria-pressed', 'true');
  await expectAttribute(page.getByRole('button', { name: 'Not helpful' }), 'aria-pressed', 'false');

  mkdirSync(ARTIFACTS, { recursive: true });
  const screenshot = join(ARTIFACTS, 'widget-open.png');
  await page.screenshot({ path: screenshot });
  expect(readFileSync(screenshot).subarray(1, 4).toString()).toBe('PNG');
  await context.close();
});

test('after a reload the conversation is restored from the same session', async () => {
  const { context, page } = await newPage(harness);
  await page.goto(`${harness.allowed.url}/docs`);
  await widget(page).bubble.click();
  await widget(page).input.fill('How do I rotate the key?');
  await widget(page).input.press('Enter');
  await page.getByRole('button', { name: 'Helpful', exact: true }).waitFor();
  const stored = await page.evaluate((key) => JSON.parse(localStorage.getItem(`perch:${key}`)!), harness.keys.docs!);

  await page.reload();
  await widget(page).bubble.click();

  await page.getByRole('button', { name: 'Helpful', exact: true }).waitFor();
  expect(await page.locator('perch-widget .m.v').allInnerTexts()).toEqual(['How do I rotate the key?']);
  expect(await lastAnswer(page).innerText()).toContain('Raise keyRotation and apply.');
  const restored = await page.evaluate((key) => JSON.parse(localStorage.getItem(`perch:${key}`)!), harness.keys.docs!);
  expect(restored.sessionId).toBe(stored.sessionId);
  await context.close();
});

test('window.Perch replays commands queued before the loader ran, runs later ones at once, and reports open, close and messages', async () => {
  const { context, page } = await newPage(harness);
  await page.goto(`${harness.allowed.url}/queue`);

  await widget(page).dialog.waitFor(); // ['open'] from the queue
  await page.evaluate(() => (window as any).Perch.q.push(['close'], 'junk', null, ['__proto__'])); // the same queue, after load
  await widget(page).dialog.waitFor({ state: 'hidden' });
  await page.evaluate(() => (window as any).Perch.toggle());
  await widget(page).input.fill('How do I rotate the key?');
  await widget(page).input.press('Enter');
  await page.getByRole('button', { name: 'Helpful', exact: true }).waitFor();

  expect(await page.evaluate(() => (window as any).events)).toEqual([
    'open',
    'close',
    'open',
    'visitor: How do I rotate the key?',
    `assistant: ${ANSWERS.rotate}`,
  ]);
  await context.close();
});

test('the loader adds no global but window.Perch', async () => {
  const { context, page } = await newPage(harness);
  await page.goto(`${harness.allowed.url}/no-widget`);
  const before: string[] = await page.evaluate(() => Object.getOwnPropertyNames(window));
  await page.goto(`${harness.allowed.url}/bare`);
  await widget(page).bubble.click();
  await widget(page).dialog.waitFor();

  const after: string[] = await page.evaluate(() => Object.getOwnPropertyNames(window));
  expect(after.filter((name) => !before.includes(name))).toEqual(['Perch']);
  await context.close();
});

test('on a foreign origin the bubble shows the refusal and no request to the API succeeds', async () => {
  const { context, page } = await newPage(harness);
  const api = `${harness.target.apiUrl}/v1/`;
  const statuses: number[] = [];
  const urls: string[] = [];
  page.on('request', (r) => void urls.push(r.url()));
  page.on('response', (r) => {
    if (r.url().startsWith(api) && !r.url().endsWith('/loader.js')) statuses.push(r.status());
  });
  await page.goto(`${harness.foreign.url}/docs`);

  await widget(page).bubble.click();

  await expectText(widget(page).notice, ORIGIN_DENIED);
  expect(await widget(page).notice.getAttribute('role')).toBe('status');
  expect(await page.getByRole('dialog').count()).toBe(0);
  expect(urls.some((url) => /\/chat\.\w+\.js$/.test(url) || url.includes('/v1/sessions'))).toBe(false);
  expect(statuses.length).toBeGreaterThan(0);
  expect(statuses.every((status) => status === 403)).toBe(true);
  await page.keyboard.press('Escape');
  await widget(page).notice.waitFor({ state: 'hidden' });
  await context.close();
});

test('a paused widget says its link is invalid or disabled; an unreachable API says the chat failed to start', async () => {
  const { context, page } = await newPage(harness);
  await page.goto(`${harness.allowed.url}/paused`);
  await widget(page).bubble.click();
  await expectText(widget(page).notice, 'This widget link is invalid or has been disabled.');

  await page.goto(`${harness.allowed.url}/dead-host`);
  await widget(page).bubble.click();
  await expectText(widget(page).notice, 'Failed to start chat. Please try again.');
  await context.close();
});

test('markup in an answer or in the visitor text is shown as text and runs nothing', async () => {
  const { context, page } = await newPage(harness);
  const dialogs: string[] = [];
  page.on('dialog', (d) => void dialogs.push(d.message()));
  await page.goto(`${harness.allowed.url}/docs`);
  await widget(page).bubble.click();

  await page.getByRole('button', { name: 'Show me hostile markup' }).click();
  await page.getByRole('button', { name: 'Helpful', exact: true }).waitFor();
  await widget(page).input.fill('<b>bold</b><img src=x onerror="window.__pwned=4"><script>window.__pwned=5</script>');
  await widget(page).input.press('Enter');
  await page.getByRole('button', { name: 'Helpful', exact: true }).nth(1).waitFor();

  expect(await page.locator('perch-widget .m.a .d').first().textContent()).toBe(ANSWERS.hostile);
  expect(await page.locator('perch-widget .m.v').last().textContent()).toContain(
    '<img src=x onerror="window.__pwned=4">',
  );
  expect(await page.locator('perch-widget img, perch-widget script, perch-widget b').count()).toBe(0);
  expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();
  expect(dialogs).toEqual([]);
  await context.close();
});

test('under a strict CSP and hostile global CSS the widget still shows, opens and answers, with no CSP violation', async () => {
  const { context, page } = await newPage(harness);
  await page.addInitScript(() => {
    const violations: string[] = ((window as any).violations = []);
    document.addEventListener('securitypolicyviolation', (e) =>
      violations.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  await page.goto(`${harness.allowed.url}/strict`);
  const { bubble, dialog, input } = widget(page);

  await bubble.waitFor();
  const box = (await bubble.boundingBox())!;
  expect([box.width, box.height]).toEqual([56, 56]);
  expect(box.x + box.width).toBe(1280 - 20);
  expect(await bubble.evaluate((b) => getComputedStyle(b).backgroundColor)).toBe('rgb(29, 78, 216)');
  await bubble.click();
  await dialog.waitFor();
  expect((await dialog.boundingBox())!.width).toBe(380);
  expect(await input.evaluate((t) => getComputedStyle(t).fontSize)).toBe('16px');
  await page.getByRole('button', { name: 'How do I rotate the key?' }).click();
  await page.getByRole('button', { name: 'Helpful', exact: true }).waitFor();

  expect(await page.evaluate(() => document.querySelector('div')!.checkVisibility())).toBe(false); // the page's CSS did apply
  expect(await page.evaluate(() => (window as any).violations)).toEqual([]);
  await page.screenshot({ path: join(ARTIFACTS, 'widget-strict-csp.png') });
  await context.close();
});

test('below 480 px the panel is full-screen, inputs are at least 16 px, and reduced motion means no animation', async () => {
  const { context, page } = await newPage(harness, {
    viewport: { width: 375, height: 667 },
    isMobile: true,
    hasTouch: true,
    reducedMotion: 'reduce',
  });
  await page.goto(`${harness.allowed.url}/docs`);
  await widget(page).bubble.tap();

  await widget(page).dialog.waitFor();
  expect(await widget(page).dialog.evaluate((panel) => panel.getAnimations().length)).toBe(0);
  expect(await widget(page).dialog.boundingBox()).toEqual({ x: 0, y: 0, width: 375, height: 667 });
  expect(await widget(page).bubble.isHidden()).toBe(true); // under the full-screen panel; its close button is in the header
  expect(await widget(page).input.evaluate((t) => parseFloat(getComputedStyle(t).fontSize))).toBeGreaterThanOrEqual(16);
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'widget-mobile.png') });
  await context.close();
});

test('a pale theme colour gets black text; the tag overrides position and greeting', async () => {
  const { context, page } = await newPage(harness);
  await page.goto(`${harness.allowed.url}/light`);
  const { bubble } = widget(page);
  await bubble.waitFor();
  expect(await bubble.evaluate((b) => getComputedStyle(b).color)).toBe('rgb(0, 0, 0)');
  expect((await bubble.boundingBox())!.x).toBe(20); // the widget's bottom-left

  await page.goto(`${harness.allowed.url}/light-overridden`);
  await bubble.waitFor();
  expect((await bubble.boundingBox())!.x).toBe(1280 - 20 - 56);
  await bubble.click();
  await expectText(page.locator('perch-widget .m.a').first(), 'Hello from the tag.');
  await context.close();
});

test('an expired session is replaced silently, once, and the message is resent', async () => {
  const { context, page } = await newPage(harness);
  const posts: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST') posts.push(new URL(r.url()).pathname.replace(/sess_[^/]+|[^/]{20,}(?=\/)/, ':id'));
  });
  let refused = false;
  await page.route('**/messages', async (route) => {
    if (refused) return route.continue();
    refused = true;
    await route.fulfill(refusal(401, 'session_expired')());
  });
  await page.goto(`${harness.allowed.url}/docs`);
  await widget(page).bubble.click();
  await widget(page).input.fill('How do I rotate the key?');
  await widget(page).input.press('Enter');

  await page.getByRole('button', { name: 'Helpful', exact: true }).waitFor();
  expect(await page.locator('perch-widget .e').count()).toBe(0);
  expect(posts.filter((p) => p === '/v1/sessions')).toHaveLength(2);
  expect(posts.filter((p) => p.endsWith('/messages'))).toHaveLength(2);
  await context.close();
});

test.each([
  [
    '429 widget_rate_limit',
    refusal(429, 'widget_rate_limit'),
    "You're sending messages too quickly. Please wait a moment.",
  ],
  [
    '429 widget_daily_cap_exceeded',
    refusal(429, 'widget_daily_cap_exceeded'),
    'Failed to send message. Please try again.',
  ],
  ['503 budget_exhausted', refusal(503, 'budget_exhausted'), 'Failed to send message. Please try again.'],
  ['503 bot_not_ready', refusal(503, 'bot_not_ready'), 'This bot is not ready for chat yet.'],
  ['404 widget_disabled', refusal(404, 'widget_disabled'), 'This widget link is invalid or has been disabled.'],
  [
    'an SSE error event',
    sse('event: delta\ndata: {"text":"Partial "}\n\nevent: error\ndata: {"code":"upstream_error","message":"x"}\n\n'),
    'Failed to send message. Please try again.',
  ],
  [
    '401 session_expired again after the one new session',
    refusal(401, 'session_expired'),
    'Failed to send message. Please try again.',
  ],
  [
    'a stream that ends without done',
    sse('event: delta\ndata: {"text":"Partial "}\n\n'),
    'Failed to send message. Please try again.',
  ],
])('a send refused with %s shows its visitor text and keeps the message for a retry', async (_, response, text) => {
  const { context, page } = await newPage(harness);
  await page.route('**/messages', (route) => route.fulfill(response()));
  await page.goto(`${harness.allowed.url}/docs`);
  await widget(page).bubble.click();
  await widget(page).input.fill('Hello there');
  await widget(page).input.press('Enter');

  await expectText(page.locator('perch-widget .e'), text);
  expect(await page.locator('perch-widget [aria-live="polite"]').textContent()).toBe(text);
  expect(await widget(page).input.inputValue()).toBe('Hello there');
  await context.close();
});

function corsHeaders(): Record<string, string> {
  return { 'Access-Control-Allow-Origin': harness.allowed.url, Vary: 'Origin' };
}

// Built when a test runs: the allowed origin is known only then.
function refusal(status: number, code: string) {
  return () => ({
    status,
    headers: corsHeaders(),
    contentType: 'application/json',
    body: JSON.stringify({ error: { code, message: 'server text' } }),
  });
}

function sse(body: string) {
  return () => ({ status: 200, headers: corsHeaders(), contentType: 'text/event-stream', body });
}

async function expectAttribute(locator: ReturnType<Page['locator']>, name: string, value: string): Promise<void> {
  await locator.waitFor();
  await waitUntil(async () => (await locator.getAttribute(name)) === value, `${name}="${value}"`);
}

async function expectText(locator: ReturnType<Page['locator']>, text: string): Promise<void> {
  await locator.waitFor();
  await waitUntil(async () => (await locator.textContent()) === text, `text "${text}"`);
}

async function waitUntil(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
