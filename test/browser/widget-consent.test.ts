import type { BrowserContext, Page } from 'playwright-core';
import { type Harness, hostPage, startHarness, widget } from './harness';

// Consent-first storage (DESIGN.md): until the visitor opens the widget (the bubble, or
// `Perch.open()`), the page fetches only the loader and the appearance, and the widget neither
// reads nor writes storage, sets no cookie and starts no session.
let harness: Harness;
let key: string;
beforeAll(async () => {
  harness = await startHarness();
  key = harness.keys.docs!;
  hostPage(harness, '/consent', { key, body: '<a href="#top">Top of the page</a>' });
});
afterAll(() => harness?.close());

interface Visit {
  page: Page;
  /** `METHOD /path` of every request to the API's origin, in order. */
  apiRequests: string[];
  /** The POST /v1/sessions bodies, in order. */
  sessionStarts: unknown[];
  /** Every call the page made on Storage and every `document.cookie` write, in order. */
  storageCalls(): Promise<string[]>;
  /** Storage, cookies and IndexedDB as the page's origin sees them. */
  storageState(): Promise<{ local: Record<string, string>; session: number; cookie: string; databases: number }>;
}

/** Opens the consent page in `context`, logging API requests and every Storage call from the start. */
async function visit(context: BrowserContext): Promise<Visit> {
  const page = await context.newPage();
  await page.addInitScript(() => {
    const calls: string[] = ((window as any).__storageCalls = []);
    for (const name of ['getItem', 'setItem', 'removeItem', 'clear', 'key'] as const) {
      const original = Storage.prototype[name] as (...args: unknown[]) => unknown;
      (Storage.prototype as any)[name] = function (this: Storage, ...args: unknown[]) {
        calls.push(`${this === window.localStorage ? 'local' : 'session'}.${name}(${args[0] ?? ''})`);
        return original.apply(this, args);
      };
    }
    const cookie = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie')!;
    Object.defineProperty(Document.prototype, 'cookie', {
      configurable: true,
      get() {
        return cookie.get!.call(this);
      },
      set(value: string) {
        calls.push(`cookie=${value}`);
        cookie.set!.call(this, value);
      },
    });
  });
  const apiRequests: string[] = [];
  const sessionStarts: unknown[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.origin !== harness.target.apiUrl) return;
    apiRequests.push(`${request.method()} ${url.pathname}`);
    if (request.method() === 'POST' && url.pathname === '/v1/sessions') sessionStarts.push(request.postDataJSON());
  });
  await page.goto(`${harness.allowed.url}/consent`);
  await widget(page).bubble.waitFor();
  return {
    page,
    apiRequests,
    sessionStarts,
    storageCalls: () => page.evaluate(() => [...(window as any).__storageCalls]),
    storageState: () =>
      page.evaluate(async () => ({
        local: { ...localStorage },
        session: sessionStorage.length,
        cookie: document.cookie,
        databases: (await indexedDB.databases()).length,
      })),
  };
}

const APPEARANCE_ONLY = () => ['GET /v1/loader.js', `GET /v1/widgets/${key}`];
const EMPTY = { local: {}, session: 0, cookie: '', databases: 0 };
const isChatScript = (request: string) => /^GET \/v1\/chat\.\w+\.js$/.test(request);
const settle = (page: Page) => page.waitForTimeout(1000);

/** Hovers and focuses the bubble (which preloads the chat script) and waits for that script. */
async function hoverAndFocus(page: Page): Promise<void> {
  const chatScript = page.waitForResponse((response) => /\/chat\.\w+\.js$/.test(response.url()));
  await widget(page).bubble.hover();
  await widget(page).bubble.focus();
  await chatScript;
  await settle(page);
}

/** A first visit in `context` that sends one message; returns the session it stored. */
async function previousVisit(context: BrowserContext): Promise<{ sessionId: string; token: string }> {
  const { page } = await visit(context);
  await widget(page).bubble.click();
  await widget(page).input.fill('How do I rotate the key?');
  await widget(page).input.press('Enter');
  await page.getByRole('button', { name: 'Helpful', exact: true }).waitFor();
  const stored = await page.evaluate((name) => JSON.parse(localStorage.getItem(name)!), `perch:${key}`);
  await page.close();
  return stored;
}

test('loading a page with the snippet fetches only the loader and the appearance and touches no storage', async () => {
  const context = await harness.browser.newContext();
  const { page, apiRequests, storageCalls, storageState } = await visit(context);

  await settle(page);

  expect(apiRequests).toEqual(APPEARANCE_ONLY());
  expect(await storageCalls()).toEqual([]);
  expect(await storageState()).toEqual(EMPTY);
  expect(await context.cookies()).toEqual([]);
  await context.close();
});

test('hovering and focusing the bubble preloads the chat script, reads no storage, starts no session', async () => {
  const context = await harness.browser.newContext();
  const { page, apiRequests, storageCalls, storageState } = await visit(context);

  await hoverAndFocus(page);

  expect(apiRequests.filter((request) => !isChatScript(request))).toEqual(APPEARANCE_ONLY());
  expect(apiRequests.filter(isChatScript)).toHaveLength(1);
  expect(await widget(page).dialog.isHidden()).toBe(true);
  expect(await storageCalls()).toEqual([]);
  expect(await storageState()).toEqual(EMPTY);
  expect(await context.cookies()).toEqual([]);
  await context.close();
});

test(
  'a first visitor who opens the widget gets a storage read but no session; ' +
    'the first message starts one and only then writes storage',
  async () => {
    const context = await harness.browser.newContext();
    const { page, apiRequests, sessionStarts, storageCalls, storageState } = await visit(context);

    await widget(page).bubble.click();
    await widget(page).dialog.waitFor();
    await settle(page);

    expect(await storageCalls()).toEqual([`local.getItem(perch:${key})`]);
    expect(sessionStarts).toEqual([]);
    expect(await storageState()).toEqual(EMPTY);

    await widget(page).input.fill('How do I rotate the key?');
    await widget(page).input.press('Enter');
    await page.getByRole('button', { name: 'Helpful', exact: true }).waitFor();

    expect(sessionStarts).toEqual([{ key }]);
    expect(apiRequests).toContain('POST /v1/sessions');
    expect(await storageCalls()).toEqual([`local.getItem(perch:${key})`, `local.setItem(perch:${key})`]);
    const { local, ...rest } = await storageState();
    expect(Object.keys(local)).toEqual([`perch:${key}`]);
    expect(rest).toEqual({ session: 0, cookie: '', databases: 0 });
    expect(await context.cookies()).toEqual([]);
    await context.close();
  },
);

test('Perch.open() from the page counts as opening: storage is read then, not before', async () => {
  const context = await harness.browser.newContext();
  const { page, storageCalls } = await visit(context);
  await settle(page);
  expect(await storageCalls()).toEqual([]);

  await page.evaluate(() => (window as any).Perch.open());

  await widget(page).dialog.waitFor();
  expect(await storageCalls()).toEqual([`local.getItem(perch:${key})`]);
  await context.close();
});

test(
  'a returning visitor: nothing is requested or stored before open, even on hover; ' +
    'clicking the bubble resumes the stored session with its history',
  async () => {
    const context = await harness.browser.newContext();
    const stored = await previousVisit(context);
    const { page, apiRequests, sessionStarts, storageCalls, storageState } = await visit(context);

    await hoverAndFocus(page);

    expect(apiRequests.filter((request) => !isChatScript(request))).toEqual(APPEARANCE_ONLY());
    expect(await storageCalls()).toEqual([]);

    await widget(page).bubble.click();
    await page.getByRole('button', { name: 'Helpful', exact: true }).waitFor();

    expect(await page.locator('perch-widget .m.v').allInnerTexts()).toEqual(['How do I rotate the key?']);
    expect(sessionStarts).toEqual([{ key, resume: stored.token }]);
    expect(await storageCalls()).toEqual([`local.getItem(perch:${key})`, `local.setItem(perch:${key})`]);
    const { local } = await storageState();
    expect(JSON.parse(local[`perch:${key}`]!).sessionId).toBe(stored.sessionId);
    await context.close();
  },
);

test('a returning visitor whose page calls Perch.open() resumes then, and not before', async () => {
  const context = await harness.browser.newContext();
  const stored = await previousVisit(context);
  const { page, apiRequests, sessionStarts, storageCalls } = await visit(context);
  await settle(page);
  expect(apiRequests).toEqual(APPEARANCE_ONLY());
  expect(await storageCalls()).toEqual([]);

  await page.evaluate(() => (window as any).Perch.open());

  await page.getByRole('button', { name: 'Helpful', exact: true }).waitFor();
  expect(await page.locator('perch-widget .m.v').allInnerTexts()).toEqual(['How do I rotate the key?']);
  expect(sessionStarts).toEqual([{ key, resume: stored.token }]);
  await context.close();
});
