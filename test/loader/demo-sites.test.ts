import { createServer } from 'node:net';
import { type DemoSites, startDemoSites } from '../../infra/local/demo-sites';
import { buildOutputs } from '../../infra/state/outputs';

const outputs = buildOutputs('http://localhost:8787', [
  { id: 'docs-bot', publicKey: 'pk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
]);
let sites: DemoSites | undefined;

afterEach(async () => {
  await sites?.close();
  sites = undefined;
});

test(
  'serves the demo page on an allowed (localhost) and a foreign (127.0.0.1) origin, ' +
    'with the snippet and a strict CSP',
  async () => {
    const lines: string[] = [];
    sites = await startDemoSites({ port: 0, outputs, log: (line) => lines.push(line) });

    expect(sites.urls).toHaveLength(2);
    expect(sites.urls[0]).toMatch(/^http:\/\/localhost:\d+$/);
    expect(sites.urls[1]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    for (const url of sites.urls) {
      const page = await fetch(`${url.replace('localhost', '127.0.0.1')}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toBe(
        "default-src 'none'; script-src http://localhost:8787; connect-src http://localhost:8787; " +
          "style-src 'self'; base-uri 'none'; form-action 'none'",
      );
      const html = await page.text();
      expect(html).toContain(outputs.widgets['docs-bot']!.snippet);
      expect(html).not.toMatch(/<style|style=|<script>/); // nothing the page's own CSP would block
    }
    expect(lines).toEqual([
      `Demo page (allowed origin): ${sites.urls[0]}/`,
      `Demo page (foreign origin): ${sites.urls[1]}/`,
    ]);
  },
);

test('serves its stylesheet and nothing else', async () => {
  sites = await startDemoSites({ port: 0, outputs, log: () => undefined });
  const base = sites.urls[0]!.replace('localhost', '127.0.0.1');
  expect((await fetch(`${base}/demo.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
  expect((await fetch(`${base}/../etc/passwd`)).status).toBe(404);
  expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(404);
});

test('a taken port is a warning, not a failure', async () => {
  const blocker = createServer();
  await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
  const port = (blocker.address() as { port: number }).port;
  const lines: string[] = [];

  sites = await startDemoSites({ port, outputs, log: (line) => lines.push(line) });

  expect(lines[0]).toBe(`warning: demo page (allowed origin) not started: port ${port} is in use; set PERCH_DEMO_PORT`);
  expect(sites.urls.some((url) => url.startsWith('http://localhost'))).toBe(false);
  await new Promise((done) => blocker.close(done));
});

test('a config without the demo widget starts no page and says why', async () => {
  const lines: string[] = [];
  sites = await startDemoSites({ port: 0, outputs: { ...outputs, widgets: {} }, log: (line) => lines.push(line) });
  expect(sites.urls).toEqual([]);
  expect(lines).toEqual(['warning: no demo pages: the config has no widget "docs-bot"']);
});

test('a demo port outside the widget allowedOrigins is warned about and its page tells the truth', async () => {
  const lines: string[] = [];
  sites = await startDemoSites({
    port: 0,
    outputs,
    allowedOrigins: ['http://localhost:3000'],
    log: (line) => lines.push(line),
  });

  const [allowedUrl] = sites.urls;
  expect(lines[0]).toBe(
    `warning: ${allowedUrl} is not in docs-bot's allowedOrigins ["http://localhost:3000"], ` +
      'so this demo page is refused; the default PERCH_DEMO_PORT (3000) matches the shipped config',
  );
  expect(lines[1]).toBe(`Demo page (foreign origin): ${allowedUrl}/`);
  const html = await (await fetch(`${allowedUrl!.replace('localhost', '127.0.0.1')}/`)).text();
  expect(html).toContain('is <strong>not</strong> in');
});
