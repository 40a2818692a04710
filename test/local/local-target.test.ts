import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalTarget, startLocalTarget } from '../../infra/local/target';
import { writeConfigFile } from '../fixtures/config-file';

// One local target per test file: the handler modules read the dynalite endpoint at import.
const DOCS_ORIGIN = 'https://docs.example.com';
let dir: string;
let target: LocalTarget;
const logged: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perch-local-'));
  const configFile = join(dir, 'widgets.config.ts');
  const faq = [{ question: 'What is Perch?', answer: 'Chat widgets declared in Git.' }];
  writeConfigFile(configFile, {
    models: { local: { provider: 'faq' } },
    widgets: {
      'docs-bot': {
        name: 'Docs',
        model: 'local',
        greeting: 'Hi docs',
        systemPrompt: 'never shown to visitors',
        allowedOrigins: [DOCS_ORIGIN, 'https://*.example.org'],
        quickActions: ['What is Perch?'],
        faq,
      },
      open: { name: 'Open', model: 'local', allowedOrigins: [], faq },
      paused: { name: 'Paused', model: 'local', status: 'paused', allowedOrigins: [DOCS_ORIGIN], faq },
    },
  });
  target = await startLocalTarget({ configFile, port: 0, dataDir: undefined, log: (line) => logged.push(line) });
});

afterAll(async () => {
  await target?.close();
  rmSync(dir, { recursive: true, force: true });
});

const keyOf = (id: string) => target.outputs.widgets[id]!.publicKey;

function get(path: string, origin?: string, method = 'GET', headers: Record<string, string> = {}) {
  return fetch(`${target.apiUrl}${path}`, {
    method,
    headers: { ...(origin === undefined ? {} : { Origin: origin }), ...headers },
  });
}

/** Status, the CORS headers and the parsed body: the whole observable answer to a browser. */
async function answer(response: Response) {
  const text = await response.text();
  return {
    status: response.status,
    allowOrigin: response.headers.get('access-control-allow-origin'),
    vary: response.headers.get('vary'),
    body: text === '' ? undefined : JSON.parse(text),
  };
}

const refusal = (code: string, message: string) => ({ error: { code, message } });
const DENIED = refusal('widget_origin_denied', 'This website is not authorized to use this widget.');
const INVALID = 'This widget link is invalid or has been disabled.';

test('startup prints the plan and hands out a key and snippet per widget', () => {
  expect(logged.join('\n')).toContain('+ widget docs-bot (create)');
  expect(logged.join('\n')).toContain('Plan: 3 to create, 0 to update, 0 to rotate, 0 to delete.');
  expect(target.apiUrl).toMatch(/^http:\/\/localhost:\d+$/);
  expect(target.outputs.loaderUrl).toBe(`${target.apiUrl}/v1/loader.js`);
  expect(target.outputs.widgets['docs-bot']!.snippet).toBe(
    `<script src="${target.apiUrl}/v1/loader.js" data-perch-key="${keyOf('docs-bot')}" async></script>`,
  );
});

test('an allowed origin gets the appearance and a CORS grant for itself', async () => {
  const response = await get(`/v1/widgets/${keyOf('docs-bot')}`, DOCS_ORIGIN);

  expect(await answer(response)).toEqual({
    status: 200,
    allowOrigin: DOCS_ORIGIN,
    vary: 'Origin',
    body: {
      name: 'Docs',
      greeting: 'Hi docs',
      placeholder: 'Type your question…',
      theme: { primary: '#2563eb', position: 'bottom-right', onPrimary: '#ffffff', focusRing: '#2563eb' },
      quickActions: ['What is Perch?'],
      feedback: true,
      locale: 'en',
      dir: 'ltr',
      texts: expect.objectContaining({ openChat: 'Open chat', sources: 'Sources' }),
    },
  });
  expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
});

test('a subdomain admitted by a wildcard entry gets its own origin back', async () => {
  const response = await answer(await get(`/v1/widgets/${keyOf('docs-bot')}`, 'https://a.b.example.org'));
  expect([response.status, response.allowOrigin]).toEqual([200, 'https://a.b.example.org']);
});

test.each([
  ['a foreign origin', 'https://evil.example.net'],
  ['a suffix attack', 'https://docs.example.com.evil.net'],
  ['the same host over http', 'http://docs.example.com'],
  ['a missing Origin', undefined],
  ['the null origin', 'null'],
])('%s is refused with 403 and no CORS grant', async (_name, origin) => {
  expect(await answer(await get(`/v1/widgets/${keyOf('docs-bot')}`, origin))).toEqual({
    status: 403,
    allowOrigin: null,
    vary: 'Origin',
    body: DENIED,
  });
});

test('a widget with an empty origin list admits any origin but still refuses a missing or null one', async () => {
  const key = keyOf('open');
  expect(await answer(await get(`/v1/widgets/${key}`, 'https://anywhere.example.net'))).toMatchObject({
    status: 200,
    allowOrigin: 'https://anywhere.example.net',
  });
  expect(await answer(await get(`/v1/widgets/${key}`))).toMatchObject({ status: 403, allowOrigin: null, body: DENIED });
  expect(await answer(await get(`/v1/widgets/${key}`, 'null'))).toMatchObject({
    status: 403,
    allowOrigin: null,
    body: DENIED,
  });
});

test('an unknown key is 404 widget_not_found, readable by the page that asked', async () => {
  expect(await answer(await get('/v1/widgets/pk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', DOCS_ORIGIN))).toEqual({
    status: 404,
    allowOrigin: DOCS_ORIGIN,
    vary: 'Origin',
    body: refusal('widget_not_found', INVALID),
  });
});

test('a malformed key is 404 widget_not_found', async () => {
  const response = await answer(await get('/v1/widgets/%3Cscript%3E', DOCS_ORIGIN));
  expect([response.status, response.body]).toEqual([404, refusal('widget_not_found', INVALID)]);
});

test('a paused widget is 404 widget_disabled to its own origin, and tells a foreign origin nothing', async () => {
  const key = keyOf('paused');
  expect(await answer(await get(`/v1/widgets/${key}`, DOCS_ORIGIN))).toEqual({
    status: 404,
    allowOrigin: DOCS_ORIGIN,
    vary: 'Origin',
    body: refusal('widget_disabled', INVALID),
  });
  expect(await answer(await get(`/v1/widgets/${key}`, 'https://evil.example.net'))).toMatchObject({
    status: 403,
    allowOrigin: null,
    body: DENIED,
  });
});

test('a preflight from an allowed origin is answered 204 with the CORS grant', async () => {
  const response = await get(`/v1/widgets/${keyOf('docs-bot')}`, DOCS_ORIGIN, 'OPTIONS', {
    'Access-Control-Request-Method': 'GET',
  });

  expect(response.status).toBe(204);
  expect(
    Object.fromEntries([...response.headers].filter(([name]) => name.startsWith('access-control-') || name === 'vary')),
  ).toEqual({
    'access-control-allow-origin': DOCS_ORIGIN,
    'access-control-allow-methods': 'GET, OPTIONS',
    'access-control-allow-headers': 'Content-Type, Authorization, Accept',
    'access-control-max-age': '600',
    vary: 'Origin',
  });
  expect(await response.text()).toBe('');
});

test('a preflight from a foreign origin is refused without a CORS grant', async () => {
  const response = await get(`/v1/widgets/${keyOf('docs-bot')}`, 'https://evil.example.net', 'OPTIONS', {
    'Access-Control-Request-Method': 'GET',
  });
  expect(await answer(response)).toEqual({ status: 403, allowOrigin: null, vary: 'Origin', body: DENIED });
  expect(response.headers.get('access-control-allow-methods')).toBeNull();
});

test('a method the route does not serve is 405, an unknown path 404, both as JSON errors', async () => {
  expect(await answer(await get(`/v1/widgets/${keyOf('docs-bot')}`, DOCS_ORIGIN, 'DELETE'))).toMatchObject({
    status: 405,
    allowOrigin: null,
    body: { error: { code: 'method_not_allowed' } },
  });
  expect(await answer(await get('/v1/nothing-here', DOCS_ORIGIN))).toMatchObject({
    status: 404,
    allowOrigin: null,
    body: { error: { code: 'not_found' } },
  });
});
