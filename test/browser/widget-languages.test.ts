import { CATALOGUES } from '../../functions/texts/catalogues';
import {
  expectAttribute,
  expectText,
  type Harness,
  HOSTILE_TEXT,
  hostPage,
  newPage,
  startHarness,
  widget,
} from './harness';

// DESIGN.md § Languages in a real browser: the panel in the widget's language, right to left for
// Arabic, and the origin refusal's text in that language on a page that cannot read the refusal.
let harness: Harness;
const { de, ar } = CATALOGUES;

beforeAll(async () => {
  harness = await startHarness();
  const api = harness.target.apiUrl;
  const csp = `default-src 'none'; script-src ${api}; connect-src ${api}; style-src 'self'; img-src 'none'`;
  hostPage(harness, '/de', { key: harness.keys.de! }, { 'Content-Security-Policy': csp });
  hostPage(harness, '/ar', { key: harness.keys.ar! }, { 'Content-Security-Policy': csp });
});
afterAll(() => harness?.close());

test('a de widget on a foreign origin shows the German refusal text, under a strict CSP', async () => {
  const { context, page } = await newPage(harness);
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await page.goto(`${harness.foreign.url}/de`);
  await widget(page).bubble.click();

  await expectText(widget(page).notice, de.originDenied);
  expect(await page.getByRole('dialog').count()).toBe(0);
  expect(violations).toEqual([]);
  await context.close();
});

test('a de widget on its own origin draws the bubble, panel and greeting in German', async () => {
  const { context, page } = await newPage(harness);
  await page.goto(`${harness.allowed.url}/de`);
  const bubble = widget(page).bubble;
  await expectAttribute(bubble, 'aria-label', `${de.openChat}: Hilfe`);
  await bubble.click();

  await page.getByRole('dialog', { name: 'Hilfe' }).waitFor();
  await expectAttribute(bubble, 'aria-label', `${de.closeChat}: Hilfe`);
  expect(await page.getByRole('textbox', { name: de.message }).getAttribute('placeholder')).toBe(de.placeholder);
  await page.getByRole('button', { name: de.send }).waitFor();
  await page.getByRole('region', { name: de.conversation }).getByText(de.greeting).waitFor();
  expect(await page.locator('perch-widget .w').getAttribute('lang')).toBe('de');
  await context.close();
});

test('an ar widget renders right to left, its messages mirrored', async () => {
  const { context, page } = await newPage(harness);
  await page.goto(`${harness.allowed.url}/ar`);
  await widget(page).bubble.click();
  const input = page.getByRole('textbox', { name: ar.message });
  await input.fill('How do I rotate the key?');
  await input.press('Enter');
  await page.getByRole('button', { name: ar.helpful, exact: true }).waitFor();

  expect(await page.locator('perch-widget .w').getAttribute('dir')).toBe('rtl');
  const dialog = page.getByRole('dialog', { name: 'مساعد' });
  expect(await dialog.evaluate((node) => getComputedStyle(node).direction)).toBe('rtl');
  // Right to left, the visitor's message stands at the left of the log and the answer at the right.
  const log = (await page.getByRole('region', { name: ar.conversation }).boundingBox())!;
  const visitor = (await page.locator('perch-widget .m.v').boundingBox())!;
  const answer = (await page.locator('perch-widget .m.a').last().boundingBox())!;
  expect(visitor.x - log.x).toBeLessThan(24);
  expect(log.x + log.width - (answer.x + answer.width)).toBeLessThan(24);
  await context.close();
});

test('a text override with markup is shown as text, on a foreign origin too', async () => {
  const { context, page } = await newPage(harness);
  await page.goto(`${harness.foreign.url}/ar`);
  await widget(page).bubble.click();

  await expectText(widget(page).notice, HOSTILE_TEXT);
  expect(await page.locator('perch-widget img').count()).toBe(0);
  expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
  await context.close();
});
