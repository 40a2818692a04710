import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromProxyEvent } from '../../functions/http/request';
import { type LocalTarget, startLocalTarget } from '../../infra/local/target';
import { writeConfigFile } from '../fixtures/config-file';
import { proxyEventFixture } from '../fixtures/proxy-event';
import { type StartedSession, startSession } from './clocked-perch';

// Request data becomes object keys at the edge (headers, query) and in the handlers (bodies):
// names that Object.prototype already has must be plain keys there, never a 500 or a pollution.
const DOCS = 'https://docs.example.com';
const PROTOTYPE_NAMES = [
  '__proto__',
  'constructor',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__lookupGetter__',
];
let dir: string;
let target: LocalTarget;
let session: StartedSession;
// Feedback rates an answer of its own session, which the many messages below cannot trim away.
let rated: StartedSession;
let answerId: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perch-prototype-keys-'));
  const faq = [{ question: 'What is Perch?', answer: 'Chat widgets declared in Git.' }];
  const limits = { perMinute: 100_000, perDay: 1_000_000 };
  writeConfigFile(join(dir, 'widgets.config.ts'), {
    models: { local: { provider: 'faq' } },
    widgets: { 'docs-bot': { name: 'Docs', model: 'local', allowedOrigins: [DOCS], limits, faq } },
  });
  target = await startLocalTarget({ configFile: join(dir, 'widgets.config.ts'), port: 0, log: () => undefined });
  const start = () => startSession(target.apiUrl, DOCS, key());
  [session, rated] = await Promise.all([start(), start()]);
  const asRated = { path: `/v1/sessions/${rated.sessionId}/messages`, token: rated.token };
  const answer = await send({ ...route('messages'), ...asRated });
  answerId = ((await answer.json()) as { messageId: string }).messageId;
});

afterAll(async () => {
  await target?.close();
  rmSync(dir, { recursive: true, force: true });
});

const key = () => target.outputs.widgets['docs-bot']!.publicKey;

interface Route {
  name: string;
  method: string;
  path: string;
  body?: Record<string, unknown>;
  token?: string;
  /** The status of this request without any extra key. */
  status: number;
}

/** Every API route, each with a request it admits. */
function route(name: string): Route {
  const messages = `/v1/sessions/${session.sessionId}/messages`;
  const feedback = `/v1/sessions/${rated.sessionId}/feedback`;
  const rating = { messageId: answerId, rating: 'up' };
  const routes: Route[] = [
    { name: 'widget', method: 'GET', path: `/v1/widgets/${key()}`, status: 200 },
    { name: 'widget preflight', method: 'OPTIONS', path: `/v1/widgets/${key()}`, status: 204 },
    { name: 'sessions', method: 'POST', path: '/v1/sessions', body: { key: key() }, status: 201 },
    { name: 'sessions preflight', method: 'OPTIONS', path: '/v1/sessions', status: 204 },
    { name: 'messages', method: 'POST', path: messages, body: { text: 'What is Perch?' }, status: 200 },
    { name: 'messages preflight', method: 'OPTIONS', path: messages, status: 204 },
    { name: 'feedback', method: 'POST', path: feedback, body: rating, token: rated.token, status: 204 },
    { name: 'feedback preflight', method: 'OPTIONS', path: feedback, status: 204 },
  ];
  return routes.find((r) => r.name === name)!;
}
const ROUTE_NAMES = ['widget', 'sessions', 'messages', 'feedback'].flatMap((name) => [name, `${name} preflight`]);

interface Extra {
  query?: string;
  header?: string;
  rawBody?: string;
}

function send({ method, path, body, token = session.token }: Route, { query = '', header, rawBody }: Extra = {}) {
  return fetch(`${target.apiUrl}${path}${query}`, {
    method,
    // A list of pairs: in an object literal `__proto__` would set the prototype, not a header.
    headers: [
      ['Origin', DOCS],
      ['Content-Type', 'application/json'],
      ['Accept', 'application/json'],
      ['Access-Control-Request-Method', method === 'OPTIONS' ? 'POST' : method],
      ['Authorization', `Bearer ${token}`],
      ...(header === undefined ? [] : [[header, '1'] as [string, string]]),
    ],
    body: method === 'GET' || method === 'OPTIONS' ? undefined : (rawBody ?? JSON.stringify(body)),
  });
}

afterEach(() => {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

describe.each(ROUTE_NAMES)('%s', (name) => {
  test.each(PROTOTYPE_NAMES)('?%s=1 in the query is a plain parameter', async (prototypeName) => {
    const answer = await send(route(name), { query: `?${prototypeName}=1&polluted=1` });
    expect(answer.status).toBe(route(name).status);
  });

  test.each(PROTOTYPE_NAMES)('a header named %s is a plain header', async (prototypeName) => {
    const answer = await send(route(name), { header: prototypeName });
    expect(answer.status).toBe(route(name).status);
  });
});

describe.each(['sessions', 'messages', 'feedback'])('%s', (name) => {
  test.each(PROTOTYPE_NAMES)('a body key %s is 400 bad_request and pollutes nothing', async (prototypeName) => {
    const extraKey = `${JSON.stringify(prototypeName)}:{"polluted":true}`;
    const rawBody = JSON.stringify(route(name).body).replace(/^\{/, `{${extraKey},`);

    const answer = await send(route(name), { rawBody });

    const { error } = (await answer.json()) as { error: { code: string } };
    expect([answer.status, error.code]).toEqual([400, 'bad_request']);
  });
});

test('an API Gateway event (parsed JSON) with a __proto__ header keeps it as a plain header', () => {
  const event = proxyEventFixture();
  event.headers = JSON.parse('{"__proto__":"1","constructor":"2","Origin":"https://docs.example.com"}');

  const request = fromProxyEvent(event);

  expect(Object.entries(request.headers)).toEqual([
    ['__proto__', '1'],
    ['constructor', '2'],
    ['origin', DOCS],
  ]);
});
