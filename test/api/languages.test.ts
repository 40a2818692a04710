import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { CATALOGUES } from '../../functions/texts/catalogues';
import { type LocalTarget, startLocalTarget } from '../../infra/local/target';
import { writeConfigFile } from '../fixtures/config-file';
import { postSession, postToSession, startSession } from './clocked-perch';

// DESIGN.md § Languages through `npm start`'s code path: the appearance in the widget's
// language, refusals worded in it, and the origin refusal's text as a classic script.
const DOCS = 'https://docs.example.com';
const FOREIGN = 'https://evil.example.net';
const HOSTILE = '</script><img src=x onerror="window.__pwned=1">\u2028"\\';
let dir: string;
let target: LocalTarget;
const key = (id: string) => target.outputs.widgets[id]!.publicKey;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perch-languages-'));
  const configFile = join(dir, 'widgets.config.ts');
  const widget = (name: string, extra: object) => ({
    name,
    model: 'local',
    allowedOrigins: [DOCS],
    faq: [{ question: 'What is Perch?', answer: 'Chat widgets.' }],
    ...extra,
  });
  writeConfigFile(configFile, {
    models: { local: { provider: 'faq', streamDelayMs: 0 } },
    widgets: {
      de: widget('Hilfe', { locale: 'de', limits: { perMinute: 1 } }),
      'de-paused': widget('Pause', { locale: 'de', status: 'paused' }),
      ar: widget('Arabic', { locale: 'ar' }),
      auto: widget('Auto', { locale: 'auto', texts: { send: '<b>Go</b>', originDenied: HOSTILE } }),
      fr: widget('Salut', { locale: 'fr', greeting: 'Salut docs' }),
    },
  });
  target = await startLocalTarget({ configFile, port: 0, log: () => undefined });
});
afterAll(async () => {
  await target?.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
  fetch(`${target.apiUrl}${path}`, { method, headers });
const appearance = async (id: string, language?: string) => {
  const response = await get(`/v1/widgets/${key(id)}`, {
    Origin: DOCS,
    ...(language && { 'Accept-Language': language }),
  });
  return { response, body: await response.json() };
};

test('a de widget sends its appearance, greeting and placeholder defaults and every text in German', async () => {
  const { response, body } = await appearance('de', 'ja');
  const { greeting, placeholder, ...texts } = CATALOGUES.de;
  expect(body).toMatchObject({ name: 'Hilfe', greeting, placeholder, locale: 'de', dir: 'ltr', texts });
  expect([response.headers.get('cache-control'), response.headers.get('vary')]).toEqual([
    'public, max-age=60',
    'Origin',
  ]);
});

test('an ar widget is laid out right to left', async () => {
  expect((await appearance('ar')).body).toMatchObject({ locale: 'ar', dir: 'rtl', texts: { send: 'إرسال' } });
});

test('the greeting field wins over the catalogue; the placeholder default is the widget language', async () => {
  const { body } = await appearance('fr');
  expect([body.greeting, body.placeholder]).toEqual(['Salut docs', CATALOGUES.fr.placeholder]);
});

test('an auto widget speaks the Accept-Language match, varies on it, and keeps its overrides as text', async () => {
  const { response, body } = await appearance('auto', 'fr-CA, fr;q=0.9, en;q=0.5');
  expect(body).toMatchObject({ locale: 'fr', greeting: CATALOGUES.fr.greeting, texts: { send: '<b>Go</b>' } });
  expect(body.texts.sources).toBe('Sources');
  expect([response.headers.get('cache-control'), response.headers.get('vary')]).toEqual([
    'public, max-age=60',
    'Origin, Accept-Language',
  ]);
});

test.each([
  ['no header', undefined],
  ['garbage', ';;q=,,*;q=x'],
  ['a prototype key', '__proto__'],
  ['an unshipped language', 'nl-NL'],
])('an auto widget with %s as Accept-Language speaks English', async (_name, header) => {
  expect((await appearance('auto', header)).body).toMatchObject({ locale: 'en', texts: { openChat: 'Open chat' } });
});

test('a de widget refuses a foreign origin in German, with no CORS grant', async () => {
  const response = await get(`/v1/widgets/${key('de')}`, { Origin: FOREIGN, 'Accept-Language': 'en' });
  expect(response.status).toBe(403);
  expect(response.headers.get('access-control-allow-origin')).toBeNull();
  expect(await response.json()).toEqual({
    error: { code: 'widget_origin_denied', message: CATALOGUES.de.originDenied },
  });
});

test('an unknown key is refused in the Accept-Language match, readable by the page', async () => {
  const response = await get('/v1/widgets/pk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', {
    Origin: DOCS,
    'Accept-Language': 'ja',
  });
  expect([response.status, response.headers.get('access-control-allow-origin')]).toEqual([404, DOCS]);
  expect((await response.json()).error.message).toBe(CATALOGUES.ja.widgetInvalid);
});

test('a paused de widget refuses a session start in German', async () => {
  const response = await postSession(target.apiUrl, DOCS, { key: key('de-paused') });
  expect(await response.json()).toEqual({ error: { code: 'widget_disabled', message: CATALOGUES.de.widgetInvalid } });
});

test('a de widget words its rate limit in German', async () => {
  const session = await startSession(target.apiUrl, DOCS, key('de'));
  const send = () =>
    postToSession(
      target.apiUrl,
      session.sessionId,
      'messages',
      { text: 'What is Perch?' },
      {
        origin: DOCS,
        token: session.token,
      },
    );
  expect((await send()).status).toBe(200);
  const refused = await send();
  expect(refused.status).toBe(429);
  expect((await refused.json()).error).toEqual({ code: 'widget_rate_limit', message: CATALOGUES.de.tooFast });
});

/** Runs a refusal script as a browser would, with its own `<script>` element; the text it dispatched. */
function dispatchedText(script: string): unknown {
  const events: { type: string; detail: unknown }[] = [];
  runInNewContext(script, {
    CustomEvent: class {
      constructor(
        readonly type: string,
        { detail }: { detail: unknown },
      ) {
        Object.assign(this, { detail });
      }
    },
    document: { currentScript: { dispatchEvent: (event: { type: string; detail: unknown }) => events.push(event) } },
  });
  expect(events.map((e) => e.type)).toEqual(['perch-refusal']);
  return events[0]!.detail;
}

test("the refusal script carries a de widget's origin refusal in German, without a CORS grant", async () => {
  // A classic script request sends no Origin: the script says no more than the text.
  const response = await get(`/v1/widgets/${key('de')}.js`, { 'Accept-Language': 'fr' });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('access-control-allow-origin')).toBeNull();
  expect(dispatchedText(await response.text())).toBe(CATALOGUES.de.originDenied);
});

test('the refusal script of an unknown key is in the Accept-Language match and varies on it', async () => {
  const response = await get('/v1/widgets/pk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.js', { 'Accept-Language': 'es' });
  expect(response.headers.get('vary')).toBe('Accept-Language');
  expect(dispatchedText(await response.text())).toBe(CATALOGUES.es.originDenied);
});

test('an override with markup and line separators stays one string literal in the refusal script', async () => {
  const script = await (await get(`/v1/widgets/${key('auto')}.js`)).text();
  expect(script).not.toMatch(/[<\u2028]/);
  expect(dispatchedText(script)).toBe(HOSTILE);
});

test('the refusal script is only read: a POST to it is 405', async () => {
  const response = await get(`/v1/widgets/${key('de')}.js`, { Origin: DOCS }, 'POST');
  expect(response.status).toBe(405);
});
