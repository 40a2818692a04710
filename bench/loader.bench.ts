import type { Page } from 'playwright-core';
import { buildLoaderBundles, CHAT_GZIP_BUDGET, formatBundleSizes, LOADER_GZIP_BUDGET } from '../loader/build';
import { hostPage, newPage, startHarness, widget } from '../test/browser/harness';

const RUNS = 15;

/**
 * In the page, before any script: the time of the first frame that shows the bubble. A string,
 * so tsx's transpiled helpers never reach the browser.
 */
const RECORD_BUBBLE_FRAME = `(() => {
  const check = () => {
    const bubble = document.querySelector('perch-widget')?.shadowRoot?.querySelector('.b');
    if (bubble && bubble.getBoundingClientRect().width > 0) window.bubbleFrame = performance.now();
    else requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})();`;

interface LoadTiming {
  /** loader.js downloaded (it runs right after: the script is async) → first frame with the bubble. */
  loaderToBubble: number;
  /** The `GET /v1/widgets/{key}` the bubble waits for. */
  configRequest: number;
}

async function measureLoad(page: Page, url: string): Promise<LoadTiming> {
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as { bubbleFrame?: number }).bubbleFrame !== undefined);
  return page.evaluate(() => {
    const entries = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
    const loader = entries.find((e) => e.name.endsWith('/v1/loader.js'))!;
    const config = entries.find((e) => e.name.includes('/v1/widgets/'))!;
    return {
      loaderToBubble: (window as unknown as { bubbleFrame: number }).bubbleFrame - loader.responseEnd,
      configRequest: config.responseEnd - config.startTime,
    };
  });
}

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;
const summary = (values: number[]) =>
  `median ${percentile(values, 50).toFixed(1)} ms  p95 ${percentile(values, 95).toFixed(1)} ms`;
const verdict = (bytes: number, budget: number) =>
  bytes <= budget ? `≤ ${budget} B ✓` : `> ${budget} B ✗ OVER BUDGET`;

/** Bundle sizes, and in Chromium: loader → bubble visible, and the first open (loads chat.js). */
export default async function loaderBench(): Promise<void> {
  const bundles = await buildLoaderBundles();
  console.log(`widget bundles (esbuild, minified; gzip -9):\n${formatBundleSizes(bundles)}`);
  console.log(
    `  loader.js gzip ${verdict(bundles.loader.gzip.length, LOADER_GZIP_BUDGET)}` +
      `   chat.js gzip ${verdict(bundles.chat.gzip.length, CHAT_GZIP_BUDGET)}`,
  );

  const info = console.info;
  console.info = () => undefined; // the handlers' one-line request logs
  const harness = await startHarness();
  try {
    hostPage(harness, '/', { key: harness.keys.docs! });
    const url = `${harness.allowed.url}/`;
    const cold: LoadTiming[] = [];
    const warm: LoadTiming[] = [];
    const firstOpen: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const { context, page } = await newPage(harness);
      await page.addInitScript(RECORD_BUBBLE_FRAME);
      cold.push(await measureLoad(page, url));
      const opened = Date.now();
      await widget(page).bubble.click();
      await widget(page).input.waitFor(); // chat.js fetched, run, panel drawn
      firstOpen.push(Date.now() - opened);
      warm.push(await measureLoad(page, url)); // loader.js and the config from the HTTP cache
      await context.close();
    }
    console.log(`Chromium (headless, localhost API), ${RUNS} page loads each:`);
    console.log(`  loader executed → bubble visible, cold cache   ${summary(cold.map((t) => t.loaderToBubble))}`);
    console.log(`    of which GET /v1/widgets/{key}               ${summary(cold.map((t) => t.configRequest))}`);
    console.log(`  loader executed → bubble visible, warm cache   ${summary(warm.map((t) => t.loaderToBubble))}`);
    console.log(`  first open: click → panel ready (loads chat.js) ${summary(firstOpen)}`);
  } finally {
    await harness.close();
    console.info = info;
  }
}
