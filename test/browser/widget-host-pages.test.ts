import { ANSWERS, artifactPath, expectText, type Harness, hostPage, newPage, startHarness, widget } from './harness';

// The widget on the host pages it must live with: the window.Perch queue, no stray globals,
// refusals shown on the bubble, a strict CSP with hostile CSS, a small screen, theme overrides.
const ORIGIN_DENIED = 'This website is not authorized to use this widget.';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
  const docs = harness.keys.docs!;
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
  const csp = `default-src 'none'; script-src ${api}; connect-src ${api}; style-src 'self'; img-src 'none'`;
  hostPage(
    harness,
    '/strict',
    { key: docs, head: '<link rel="stylesheet" href="/hostile.css">', body: '<div><p>Page content</p></div>' },
    { 'Content-Security-Policy': csp },
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
afterAll(() => harness?.close());

test(
  'window.Perch replays commands queued before the loader ran, ' +
    'runs later ones at once, and reports open, close and messages',
  async () => {
    const { context, page } = await newPage(harness);
    await page.goto(`${harness.allowed.url}/queue`);

    await widget(page).dialog.waitFor(); // ['open'] from the queue
    // the same queue, after load
    await page.evaluate(() => (window as any).Perch.q.push(['close'], 'junk', null, ['__proto__']));
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
  },
);

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

test('on a foreign origin the bubble shows the refusal; only the refusal script answers, without a grant', async () => {
  const { context, page } = await newPage(harness);
  const api = `${harness.target.apiUrl}/v1/`;
  const statuses: number[] = [];
  const urls: string[] = [];
  const scripts: (string | undefined)[][] = [];
  page.on('request', (r) => void urls.push(r.url()));
  // The refused appearance has no CORS grant: the browser fails the fetch, the page never reads it.
  const failed: string[] = [];
  page.on('requestfailed', (r) => void failed.push(r.url()));
  page.on('response', (r) => {
    const url = r.url();
    if (url === `${api}widgets/${harness.keys.docs}.js`) {
      scripts.push([String(r.status()), r.headers()['access-control-allow-origin']]);
    } else if (url.startsWith(api) && !url.endsWith('/loader.js')) statuses.push(r.status());
  });
  await page.goto(`${harness.foreign.url}/docs`);

  await widget(page).bubble.click();

  await expectText(widget(page).notice, ORIGIN_DENIED);
  expect(await widget(page).notice.getAttribute('role')).toBe('status');
  expect(await page.getByRole('dialog').count()).toBe(0);
  expect(urls.some((url) => /\/chat\.\w+\.js$/.test(url) || url.includes('/v1/sessions'))).toBe(false);
  expect(failed).toEqual([`${api}widgets/${harness.keys.docs}`]);
  expect(statuses).toEqual([]);
  expect(scripts).toEqual([['200', undefined]]);
  await page.keyboard.press('Escape');
  await widget(page).notice.waitFor({ state: 'hidden' });
  await context.close();
});

test(
  'a paused widget says its link is invalid or disabled; ' + 'an unreachable API says the chat failed to start',
  async () => {
    const { context, page } = await newPage(harness);
    await page.goto(`${harness.allowed.url}/paused`);
    await widget(page).bubble.click();
    await expectText(widget(page).notice, 'This widget link is invalid or has been disabled.');

    await page.goto(`${harness.allowed.url}/dead-host`);
    await widget(page).bubble.click();
    await expectText(widget(page).notice, 'Failed to start chat. Please try again.');
    await context.close();
  },
);

test(
  'under a strict CSP and hostile global CSS the widget still shows, ' + 'opens and answers, with no CSP violation',
  async () => {
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

    // the page's CSS did apply
    expect(await page.evaluate(() => document.querySelector('div')!.checkVisibility())).toBe(false);
    expect(await page.evaluate(() => (window as any).violations)).toEqual([]);
    await page.screenshot({ path: artifactPath('widget-strict-csp.png') });
    await context.close();
  },
);

test(
  'below 480 px the panel is full-screen, ' + 'inputs are at least 16 px, and reduced motion means no animation',
  async () => {
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
    // under the full-screen panel; its close button is in the header
    expect(await widget(page).bubble.isHidden()).toBe(true);
    expect(await widget(page).input.evaluate((t) => parseFloat(getComputedStyle(t).fontSize))).toBeGreaterThanOrEqual(
      16,
    );
    await page.screenshot({ path: artifactPath('widget-mobile.png') });
    await context.close();
  },
);

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
