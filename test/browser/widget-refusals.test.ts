import { expectText, type Harness, newPage, startHarness, widget } from './harness';

// What the widget does when the API refuses or breaks a send (responses faked with page.route).
let harness: Harness;
beforeAll(async () => void (harness = await startHarness()));
afterAll(() => harness?.close());

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
    await route.fulfill(refusal(401, 'session_expired', 'The chat session has expired.')());
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

// The panel shows the server's text, whatever language it is in; its own (English here) only when
// an answer has none: an SSE stream cut short, a body that is no Perch refusal.
test.each([
  ['429 widget_rate_limit', refusal(429, 'widget_rate_limit', 'Sie senden zu schnell.'), 'Sie senden zu schnell.'],
  ['503 bot_not_ready', refusal(503, 'bot_not_ready', 'Ce bot n’est pas prêt.'), 'Ce bot n’est pas prêt.'],
  ['404 widget_disabled', refusal(404, 'widget_disabled', '無効です。'), '無効です。'],
  [
    'markup in the server text',
    refusal(503, 'budget_exhausted', '<img src=x onerror="window.__pwned=5">'),
    '<img src=x onerror="window.__pwned=5">',
  ],
  [
    'an SSE error event',
    sse(
      'event: delta\ndata: {"text":"Partial "}\n\nevent: error\ndata: {"code":"upstream_error","message":"Fallo."}\n\n',
    ),
    'Fallo.',
  ],
  [
    '401 session_expired again after the one new session',
    refusal(401, 'session_expired', 'The chat session has expired.'),
    'The chat session has expired.',
  ],
  [
    'a stream that ends without done',
    sse('event: delta\ndata: {"text":"Partial "}\n\n'),
    'Failed to send message. Please try again.',
  ],
  [
    'a 502 that is no Perch refusal',
    () => ({ status: 502, headers: corsHeaders(), contentType: 'text/html', body: '<h1>Bad gateway</h1>' }),
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
  expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
  await context.close();
});

function corsHeaders(): Record<string, string> {
  return { 'Access-Control-Allow-Origin': harness.allowed.url, Vary: 'Origin' };
}

// Built when a test runs: the allowed origin is known only then.
function refusal(status: number, code: string, message: string) {
  return () => ({
    status,
    headers: corsHeaders(),
    contentType: 'application/json',
    body: JSON.stringify({ error: { code, message } }),
  });
}

function sse(body: string) {
  return () => ({ status: 200, headers: corsHeaders(), contentType: 'text/event-stream', body });
}
