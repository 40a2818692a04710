import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { ANSWERS, artifactPath, expectAttribute, type Harness, newPage, startHarness, widget } from './harness';

// A visitor's conversation in Chromium on the docs page: opening, keyboard use, streaming, ratings,
// restoring after a reload, and markup shown as text.
let harness: Harness;
beforeAll(async () => void (harness = await startHarness()));
afterAll(() => harness?.close());

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

test(
  'clicking the bubble opens a labelled dialog with the focus in the message box; ' + 'Esc closes it and focus returns',
  async () => {
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
  },
);

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

test(
  'a quick action streams its faq answer in parts, ' +
    'renders the markdown subset safely, announces it, and takes a rating',
  async () => {
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

    const screenshot = artifactPath('widget-open.png');
    await page.screenshot({ path: screenshot });
    expect(readFileSync(screenshot).subarray(1, 4).toString()).toBe('PNG');
    await context.close();
  },
);

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
