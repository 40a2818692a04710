import { buildLoaderBundles, CHAT_GZIP_BUDGET, LOADER_GZIP_BUDGET, type LoaderBundles } from '../../loader/build';

let bundles: LoaderBundles;

beforeAll(async () => {
  bundles = await buildLoaderBundles();
});

test('loader.js stays within its gzip budget', () => {
  expect(bundles.loader.gzip.length).toBeLessThanOrEqual(LOADER_GZIP_BUDGET);
});

test('chat.js stays within its gzip budget', () => {
  expect(bundles.chat.gzip.length).toBeLessThanOrEqual(CHAT_GZIP_BUDGET);
});

test('the chat bundle has a content-hashed name that the loader imports', () => {
  expect(bundles.chat.name).toMatch(/^chat\.[A-Z0-9]{8}\.js$/);
  expect(bundles.loader.contents.toString()).toContain(JSON.stringify(bundles.chat.name));
});

test('the same sources build the same bytes', async () => {
  const again = await buildLoaderBundles();
  expect(again.chat.name).toBe(bundles.chat.name);
  expect(again.loader.contents.equals(bundles.loader.contents)).toBe(true);
});

test.each([
  ['eval', /\beval\(/],
  ['new Function', /new Function\b/],
  ['innerHTML / outerHTML', /\b(inner|outer)HTML\b/],
  ['insertAdjacentHTML', /insertAdjacentHTML/],
  ['document.write', /document\.write/],
  ['inline style attributes', /\.style\b|setAttribute\(\s*["']style|cssText/],
])('neither bundle uses %s (strict CSP, no HTML parsing of untrusted text)', (_, pattern) => {
  expect(bundles.loader.contents.toString()).not.toMatch(pattern);
  expect(bundles.chat.contents.toString()).not.toMatch(pattern);
});
