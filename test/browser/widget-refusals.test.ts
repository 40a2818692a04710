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
