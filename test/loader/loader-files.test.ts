import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { type LoaderFilesOptions, serveLoaderFiles } from '../../infra/local/loader-files';
import { buildLoaderBundles, type LoaderBundles } from '../../loader/build';

let bundles: LoaderBundles;
let server: Server | undefined;

beforeAll(async () => {
  bundles = await buildLoaderBundles();
});

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((done) => (server ? server.close(done) : done(undefined)));
  server = undefined;
});

/** The handler behind a real HTTP server, failures as a 500 like the local server; other paths get a 418. */
async function serve(options: LoaderFilesOptions): Promise<string> {
  const handler = serveLoaderFiles(options);
  server = createServer((req, res) => {
    Promise.resolve(handler(req, res, new URL(req.url!, 'http://local'))).then(
      (served) => served || res.writeHead(418).end(),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const quiet = { log: () => undefined, build: async () => bundles };

test('loader.js is served as JavaScript with a short cache', async () => {
  const base = await serve(quiet);
  const response = await fetch(`${base}/v1/loader.js`, { headers: { 'Accept-Encoding': 'identity' } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  expect(response.headers.get('cache-control')).toBe('public, max-age=300');
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(Buffer.from(await response.arrayBuffer()).equals(bundles.loader.contents)).toBe(true);
});

test('the hashed chat bundle is cached forever', async () => {
  const base = await serve(quiet);
  const response = await fetch(`${base}/v1/${bundles.chat.name}`);
  expect(response.status).toBe(200);
  expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  expect(Buffer.from(await response.arrayBuffer()).equals(bundles.chat.contents)).toBe(true);
});

test('a client that accepts gzip gets the gzip bytes the budget counts', async () => {
  const base = await serve(quiet);
  const raw = await new Promise<{ encoding?: string; body: Buffer }>((done, fail) => {
    // fetch would decompress; read the bytes on the wire.
    get(`${base}/v1/loader.js`, { headers: { 'Accept-Encoding': 'gzip' } }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
    }).on('error', fail);
  });
  expect(raw.encoding).toBe('gzip');
  expect(raw.body.length).toBe(bundles.loader.gzip.length);
  expect(gunzipSync(raw.body).equals(bundles.loader.contents)).toBe(true);
});

test.each([
  ['a chat bundle from an older build', '/v1/chat.AAAAAAAA.js', 404],
  ['a method other than GET or HEAD', 'POST /v1/loader.js', 405],
  ['an API path', '/v1/widgets/pk_x', 418],
  ['a look-alike path', '/v1/loader.js.map', 418],
  ['a path outside /v1', '/loader.js', 418],
])('%s: %s → %i', async (_, request, status) => {
  const base = await serve(quiet);
  const [method, path] = request.includes(' ') ? request.split(' ') : ['GET', request];
  expect((await fetch(`${base}${path}`, { method })).status).toBe(status);
});

test('builds once, on the first request, and prints the sizes', async () => {
  const lines: string[] = [];
  let builds = 0;
  const base = await serve({
    log: (line) => lines.push(line),
    build: async () => {
      builds++;
      return bundles;
    },
  });
  expect(builds).toBe(0);
  await Promise.all([
    fetch(`${base}/v1/loader.js`),
    fetch(`${base}/v1/loader.js`),
    fetch(`${base}/v1/${bundles.chat.name}`),
  ]);
  expect(builds).toBe(1);
  expect(lines.join('\n')).toMatch(/loader\.js +\d+ B raw +\d+ B gzip/);
});

test('a failed build is retried on the next request', async () => {
  let builds = 0;
  const base = await serve({
    log: () => undefined,
    build: async () => {
      if (builds++ === 0) throw new Error('syntax error in loader.ts');
      return bundles;
    },
  });
  expect((await fetch(`${base}/v1/loader.js`)).status).toBe(500);
  expect((await fetch(`${base}/v1/loader.js`)).status).toBe(200);
  expect(builds).toBe(2);
});
