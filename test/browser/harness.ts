import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { type PageFile, type PageServer, startPageServer } from '../../infra/local/demo-sites';
import { type LocalTarget, startLocalTarget } from '../../infra/local/target';

/** Where the browser tests leave their screenshots (git-ignored). */
const ARTIFACTS = join(__dirname, '../../test-artifacts');

/** The path of a screenshot in the artifacts folder, which it creates. */
export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

/** Debian's chromium, flags for a headless container (see README: tests need /usr/bin/chromium). */
export const launchChromium = () =>
  chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });

/** Answers the test widget's FAQ gives, verbatim (markdown and hostile markup included). */
export const ANSWERS = {
  rotate:
    'Raise **keyRotation** and apply. Old sessions keep *working* for `2 hours`:\n\n- plan\n- apply\n\n' +
    'See [the docs](https://docs.example.com/keys) or [this](javascript:window.__pwned=3).',
  hostile: 'Look: <img src=x onerror="window.__pwned=1"> and <script>window.__pwned=2</script> done.',
} as const;

export interface Harness {
  target: LocalTarget;
  /** A website in the test widgets' allowedOrigins (http://localhost:<port>). */
  allowed: PageServer;
  /** A website in none of them (http://127.0.0.1:<port>). */
  foreign: PageServer;
  browser: Browser;
  /** Public keys by widget id: `docs`, `light` (a pale theme), `paused`, `members`, `members-only`, `de`, `ar`. */
  keys: Record<string, string>;
  /** Files both page servers answer with, by path; tests add their pages here. */
  files: Map<string, PageFile>;
  close(): Promise<void>;
}

/**
 * One local target (port 0, in-memory table) with a test config whose allowed origin is a page
 * server started here, a second page server on a foreign origin, and Chromium. Both servers
 * answer `/docs`: the docs widget on a page with one link before it.
 */
export async function startHarness(): Promise<Harness> {
  const files = new Map<string, PageFile>();
  const serve = (path: string) => files.get(path);
  const allowed = await startPageServer({ host: '127.0.0.1', urlHost: 'localhost', port: 0, files: serve });
  const foreign = await startPageServer({ host: '127.0.0.1', port: 0, files: serve });
  const dir = mkdtempSync(join(tmpdir(), 'perch-browser-'));
  const configFile = join(dir, 'widgets.config.ts');
  writeFileSync(configFile, testConfig(allowed.url));
  const target = await startLocalTarget({ configFile, port: 0, log: () => undefined });
  const browser = await launchChromium();
  const keys = Object.fromEntries(Object.entries(target.outputs.widgets).map(([id, w]) => [id, w.publicKey]));
  const harness: Harness = {
    target,
    allowed,
    foreign,
    browser,
    keys,
    files,
    close: async () => {
      await browser.close();
      await Promise.all([target.close(), allowed.close(), foreign.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  hostPage(harness, '/docs', { key: keys.docs!, body: '<a href="#top">Top of the page</a>' });
  return harness;
}

function testConfig(allowedOrigin: string): string {
  const schema = resolve(__dirname, '../../infra/config/schema');
  const widget = (extra: object) => ({
    model: 'faq',
    allowedOrigins: [allowedOrigin],
    // The suite sends more than the default 10 messages a minute.
    limits: { perMinute: 1000, perDay: 100000 },
    faq: [
      { question: 'How do I rotate the key?', answer: ANSWERS.rotate },
      { question: 'Show me hostile markup', answer: ANSWERS.hostile },
    ],
    ...extra,
  });
  const config = {
    // A pause between words, so the stream arrives in parts the browser can see.
    models: { faq: { provider: 'faq', streamDelayMs: 15 } },
    widgets: {
      docs: widget({
        name: 'Docs assistant',
        greeting: 'Hello from the test widget.',
        placeholder: 'Ask the test widget',
        theme: { primary: '#1d4ed8', position: 'bottom-right' },
        quickActions: ['How do I rotate the key?', 'Show me hostile markup'],
        feedback: true,
      }),
      light: widget({ name: 'Pale', theme: { primary: '#fde047', position: 'bottom-left' } }),
      paused: widget({ name: 'Paused', status: 'paused' }),
      de: widget({ name: 'Hilfe', locale: 'de' }),
      // Right to left, with a hostile override of the text a refused page shows.
      ar: widget({ name: 'مساعد', locale: 'ar', texts: { originDenied: HOSTILE_TEXT } }),
      // Signed-in visitors: the secret is read from this process's environment (IDENTITY_SECRET_ENV).
      members: widget({ name: 'Members', identity: { secretEnv: IDENTITY_SECRET_ENV } }),
      'members-only': widget({ name: 'Members only', identity: { secretEnv: IDENTITY_SECRET_ENV, required: true } }),
    },
  };
  return (
    `import { defineConfig } from ${JSON.stringify(schema)};\n` +
    `export default defineConfig(${JSON.stringify(config, null, 2)});\n`
  );
}

/** The `ar` widget's origin refusal text: markup that must stay text. */
export const HOSTILE_TEXT = '<img src=x onerror="window.__pwned=4"> غير مصرّح';

/** The environment variable the `members` widgets read their identity secret from. */
export const IDENTITY_SECRET_ENV = 'PERCH_BROWSER_TEST_IDENTITY_SECRET';

export interface HostPageOptions {
  key: string;
  /** Extra attributes on the loader tag, e.g. `data-position="bottom-left"`. */
  attributes?: string;
  /** Markup before the tag (links to stylesheets, focusable page content...). */
  head?: string;
  body?: string;
}

/** A host page embedding the widget with the snippet a website owner would paste. */
export function hostPage(
  harness: Harness,
  path: string,
  { key, attributes = '', head = '', body = '' }: HostPageOptions,
  headers?: Record<string, string>,
): void {
  const html =
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><title>Host page</title>${head}</head>` +
    `<body>${body}\n<script src="${harness.target.outputs.loaderUrl}" data-perch-key="${key}" ${attributes} async>` +
    '</script></body></html>';
  harness.files.set(path, { body: html, contentType: 'text/html; charset=utf-8', headers });
}

/** The widget's shadow root, through Playwright's shadow-piercing CSS selectors. */
export const widget = (page: Page) => ({
  bubble: page.locator('perch-widget button.b'),
  dialog: page.getByRole('dialog'),
  input: page.getByRole('textbox', { name: 'Message' }),
  notice: page.locator('perch-widget .n'),
});

export async function newPage(
  harness: Harness,
  options?: Parameters<Browser['newContext']>[0],
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await harness.browser.newContext(options);
  const page = await context.newPage();
  return { context, page };
}

export async function expectAttribute(
  locator: ReturnType<Page['locator']>,
  name: string,
  value: string,
): Promise<void> {
  await locator.waitFor();
  await waitUntil(async () => (await locator.getAttribute(name)) === value, `${name}="${value}"`);
}

export async function expectText(locator: ReturnType<Page['locator']>, text: string): Promise<void> {
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
