import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DemoSites, startDemoSites } from '../../infra/local/demo-sites';
import { type LocalTarget, startLocalTarget } from '../../infra/local/target';
import { writeConfigFile } from '../fixtures/config-file';
import { rawExchange, requestText, statusOf } from './raw-http';

// Request lines no browser sends but any page can provoke (`<img src="http://localhost:3000//a:b">`):
// each is a 4xx on every port `npm start` opens, never a crash (demo pages) or a 500 (API).
let dir: string;
let target: LocalTarget;
let demo: DemoSites;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perch-request-lines-'));
  const faq = [{ question: 'What is Perch?', answer: 'Chat widgets declared in Git.' }];
  writeConfigFile(join(dir, 'widgets.config.ts'), {
    models: { local: { provider: 'faq' } },
    widgets: { 'docs-bot': { name: 'Docs', model: 'local', allowedOrigins: ['http://localhost:3000'], faq } },
  });
  target = await startLocalTarget({ configFile: join(dir, 'widgets.config.ts'), port: 0, log: () => undefined });
  demo = await startDemoSites({ port: 0, outputs: target.outputs, log: () => undefined });
});

afterAll(async () => {
  await demo?.close();
  await target?.close();
  rmSync(dir, { recursive: true, force: true });
});

const TARGETS = [
  '//a:b',
  '//[',
  '//a:b/_perch/usage',
  '//localhost:99999/v1/loader.js',
  'http://x:99999/',
  'http://[/_perch/usage',
  'http://localhost:99999/_perch/usage',
  'http://localhost:99999/v1/sessions',
  '*',
  'x:',
];
const servers = () =>
  [
    ['the API port', target.apiUrl],
    ['the allowed demo page', demo.urls[0]!],
    ['the foreign demo page', demo.urls[1]!],
  ] as const;

/** `4xx` for a 404, or `no answer` when the connection closed without one. */
const statusClass = (raw: string) => {
  const status = statusOf(raw);
  return status === undefined ? 'no answer' : `${String(status)[0]}xx`;
};

describe.each(['GET', 'POST', 'OPTIONS'])('%s', (method) => {
  test.each(TARGETS)('%s is a 4xx on the API and demo ports', async (requestTarget) => {
    const answers = await Promise.all(
      servers().map(async ([name, url]) => {
        const request = requestText([
          `${method} ${requestTarget} HTTP/1.1`,
          `Host: ${new URL(url).host}`,
          'Content-Length: 0',
          'Connection: close',
        ]);
        return [name, statusClass(await rawExchange(url, request))] as const;
      }),
    );

    expect(Object.fromEntries(answers)).toEqual({
      'the API port': '4xx',
      'the allowed demo page': '4xx',
      'the foreign demo page': '4xx',
    });
  });
});

test('after them every port still serves its pages', async () => {
  const key = target.outputs.widgets['docs-bot']!.publicKey;
  const widget = await fetch(`${target.apiUrl}/v1/widgets/${key}`, { headers: { Origin: 'http://localhost:3000' } });
  const usage = await fetch(`${target.apiUrl}/_perch/usage`);
  const pages = await Promise.all(demo.urls.map((url) => fetch(`${url.replace('localhost', '127.0.0.1')}/`)));

  expect([widget.status, usage.status, ...pages.map((page) => page.status)]).toEqual([200, 200, 200, 200]);
});
