import type { Page, Route } from 'playwright-core';
import { ANSWERS, artifactPath, type Harness, newPage, startHarness, widget } from './harness';

// An answer's sources in Chromium (DESIGN.md § Knowledge). The local target's faq widget has no
// knowledge base, so the tests add sources to what the real API sent: to the `done` event of a
// streamed reply, and to the assistant items of a resumed session's history.
let harness: Harness;
beforeAll(async () => void (harness = await startHarness()));
afterAll(() => harness?.close());

const HOSTILE_TITLE = '<img src=x onerror="window.__pwned=1">';
const SOURCES = [
  { title: 'Rotating keys', path: 'docs/keys.md', url: 'https://docs.example.com/keys' },
  { title: HOSTILE_TITLE, path: 'docs/<script>.md' },
  { title: 'Script link', path: 'docs/script.md', url: 'javascript:alert(1)' },
];
const TITLES = SOURCES.map((s) => s.title);

/** The real API's answer to a POST on `route`, its JSON changed by `edit`. */
async function editPost(route: Route, edit: (body: string) => string): Promise<void> {
  if (route.request().method() !== 'POST') return route.continue();
  const response = await route.fetch();
  await route.fulfill({ response, body: edit(await response.text()) });
}

/** Every streamed reply's `done` event gains {@link SOURCES}. */
const addSourcesToReplies = (page: Page) =>
  page.route('**/v1/sessions/*/messages', (route) =>
    editPost(route, (body) =>
      body.replace(/^event: done\ndata: (.*)$/m, (_, data) => {
        const done = { ...JSON.parse(data), sources: SOURCES };
        return `event: done\ndata: ${JSON.stringify(done)}`;
      }),
    ),
  );

/** Every assistant item of a resumed session's history gains {@link SOURCES}. */
const addSourcesToHistory = (page: Page) =>
  page.route('**/v1/sessions', (route) =>
    editPost(route, (text) => {
      const body = JSON.parse(text);
      for (const item of body.history) if (item.role === 'assistant') item.sources = SOURCES;
      return JSON.stringify(body);
    }),
  );

const sourcesList = (page: Page) => page.getByRole('list', { name: 'Sources' });

/** The focused element in the widget: its label, else its text. */
const shadowActive = (page: Page) =>
  page.evaluate(() => {
    const active = document.querySelector('perch-widget')?.shadowRoot?.activeElement;
    return active?.getAttribute('aria-label') ?? active?.textContent ?? null;
  });

async function askRotate(page: Page): Promise<void> {
  await page.goto(`${harness.allowed.url}/docs`);
  await widget(page).bubble.click();
  await page.getByRole('button', { name: 'How do I rotate the key?' }).click();
  await page.getByRole('button', { name: 'Helpful', exact: true }).waitFor();
}

test(
  'a finished answer lists its sources: a link only for an http(s) url, ' +
    'titles as text, reachable by Tab, announced',
  async () => {
    const { context, page } = await newPage(harness);
    const dialogs: string[] = [];
    page.on('dialog', (d) => void dialogs.push(d.message()));
    await addSourcesToReplies(page);

    await askRotate(page);

    const list = sourcesList(page);
    expect(await list.locator('li').allTextContents()).toEqual(TITLES);
    expect(await page.locator('perch-widget .m.a .k').count()).toBe(1); // under the answer, not the greeting
    expect(await page.locator('perch-widget img, perch-widget script').count()).toBe(0);
    expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();
    const links = list.locator('a');
    expect(await links.count()).toBe(1); // the javascript: url stays text
    expect(await links.evaluate((a: HTMLAnchorElement) => [a.href, a.target, a.rel, a.textContent, a.title])).toEqual([
      'https://docs.example.com/keys',
      '_blank',
      'noopener noreferrer',
      'Rotating keys',
      'docs/keys.md',
    ]);
    expect(await list.locator('li').nth(1).getAttribute('title')).toBe('docs/<script>.md');
    expect(await list.locator('li').nth(2).locator('a').count()).toBe(0);
    expect(await page.locator('perch-widget [aria-live="polite"]').textContent()).toBe(
      `${ANSWERS.rotate}\n\nSources: ${TITLES.join(', ')}`,
    );

    await widget(page).input.focus();
    const reached: (string | null)[] = [];
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press('Shift+Tab');
      reached.push(await shadowActive(page));
    }
    expect(reached).toEqual(['Not helpful', 'Helpful', 'Rotating keys']);
    await page.screenshot({ path: artifactPath('widget-sources.png') });
    expect(dialogs).toEqual([]);
    await context.close();
  },
);

test('an answer without sources shows no list and is announced as its text alone', async () => {
  const { context, page } = await newPage(harness);
  await page.route('**/v1/sessions/*/messages', (route) =>
    editPost(route, (body) => body.replace(/"sources":\[[^\]]*\]/, '"sources":[]')),
  );

  await askRotate(page);

  expect(await page.locator('perch-widget .k, perch-widget ul[aria-labelledby]').count()).toBe(0);
  expect(await page.locator('perch-widget [aria-live="polite"]').textContent()).toBe(ANSWERS.rotate);
  await context.close();
});

test('a resumed session shows the sources its history gives each answer', async () => {
  const { context, page } = await newPage(harness);
  await askRotate(page);
  await addSourcesToHistory(page);

  await page.reload();
  await widget(page).bubble.click();

  const list = sourcesList(page);
  await list.waitFor();
  expect(await list.locator('li').allTextContents()).toEqual(TITLES);
  expect(await list.locator('a').getAttribute('href')).toBe('https://docs.example.com/keys');
  expect(await page.locator('perch-widget img').count()).toBe(0);
  expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();
  await context.close();
});
