import type { BrowserContext, Page } from 'playwright-core';
import { mint, SITE_SECRET } from '../identity/identity-tokens';
import { expectText, type Harness, hostPage, IDENTITY_SECRET_ENV, startHarness, widget } from './harness';

// Signed-in visitors: the page hands the widget its backend's token (`data-perch-identity`, or
// `Perch.identify`, queued before the loader ran or called after), the session start carries it,
// and the same visitor on another device finds the conversation again.
let harness: Harness;
beforeAll(async () => {
  process.env[IDENTITY_SECRET_ENV] = SITE_SECRET;
  harness = await startHarness();
});
afterAll(async () => {
  await harness?.close();
  delete process.env[IDENTITY_SECRET_ENV];
});

const token = (sub: string) => mint({ sub }, { now: Date.now() });

/** Opens `path` in a fresh context, recording the bodies of POST /v1/sessions. */
async function visit(path: string): Promise<{ context: BrowserContext; page: Page; starts: unknown[] }> {
  const context = await harness.browser.newContext();
  const page = await context.newPage();
  const starts: unknown[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/v1/sessions') {
      starts.push(request.postDataJSON());
    }
  });
  await page.goto(`${harness.allowed.url}${path}`);
  await widget(page).bubble.waitFor();
  return { context, page, starts };
}

async function ask(page: Page, text: string): Promise<void> {
  // A signed-in visitor's panel asks for their history on open; the composer sends once that is in.
  await page.locator('perch-widget form button.s:enabled').waitFor();
  await widget(page).input.fill(text);
  await widget(page).input.press('Enter');
  await page.getByRole('button', { name: 'Helpful', exact: true }).last().waitFor();
}

test('Perch.identify queued before the loader signs in; a second device with data-perch-identity resumes', async () => {
  const identity = await token('ada');
  // The queue form a page can run before the loader's tag (its own script, so no inline JS in the snippet).
  harness.files.set('/queue.js', {
    body: `window.Perch = { q: [['identify', ${JSON.stringify(identity)}]] };`,
    contentType: 'text/javascript',
  });
  hostPage(harness, '/queued', { key: harness.keys.members!, head: '<script src="/queue.js"></script>' });
  const laptop = await visit('/queued');
  await widget(laptop.page).bubble.click();
  await ask(laptop.page, 'How do I rotate the key?');
  expect(laptop.starts).toEqual([{ key: harness.keys.members, identity }]);

  hostPage(harness, '/tagged', {
    key: harness.keys.members!,
    attributes: `data-perch-identity="${await token('ada')}"`,
  });
  const phone = await visit('/tagged');
  await widget(phone.page).bubble.click();
  // Nothing stored on this device: the signed-in visitor's own history comes back on open.
  await expectText(phone.page.locator('perch-widget .m.v').first(), 'How do I rotate the key?');
  // The answer as the panel renders its markdown.
  await phone.page.locator('perch-widget .m.a', { hasText: 'Raise keyRotation and apply' }).waitFor();
  await Promise.all([laptop.context.close(), phone.context.close()]);
});

test('Perch.identify after the loader ran reaches the next session start; another sub sees none of it', async () => {
  hostPage(harness, '/later', { key: harness.keys.members! });
  const { context, page, starts } = await visit('/later');
  const identity = await token('grace');
  await page.evaluate(
    (jwt) => (window as unknown as { Perch: { identify(t: string): void } }).Perch.identify(jwt),
    identity,
  );
  await widget(page).bubble.click();
  await widget(page).dialog.waitFor();
  await ask(page, 'Show me hostile markup');
  expect(starts).toEqual([{ key: harness.keys.members, identity }]);
  expect(await page.locator('perch-widget .m.v').allTextContents()).toEqual(['Show me hostile markup']);
  await context.close();
});

test('a widget that requires sign-in tells an anonymous visitor to sign in, in the server’s words', async () => {
  hostPage(harness, '/members-only', { key: harness.keys['members-only']! });
  const { context, page } = await visit('/members-only');
  await widget(page).bubble.click();
  await widget(page).input.fill('Hello?');
  await widget(page).input.press('Enter');
  await expectText(page.locator('perch-widget p.e').last(), 'Please sign in to chat.');
  await context.close();
});
