import { Writable } from 'node:stream';
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { EDGE_SECRET_HEADER, VIEWER_IP_HEADER } from '../../functions/http/request';
import { generatePublicKey } from '../../functions/keys/public-key';
import { visitorStartsKey } from '../../functions/limits/admit-session';
import { visitorHash } from '../../functions/limits/visitor';
import { createDocumentClient } from '../../functions/records/client';
import { FUNCTION_ENV, ROUTES, type RouteName } from '../../functions/routes';
import { deriveSessionKeys } from '../../functions/sessions/signing-secret';
import { utcDay } from '../../functions/usage/day';
import { validateConfig } from '../../infra/config/load';
import { resolveConfig } from '../../infra/config/resolve';
import { ensureTable, type LocalDatabase, localSdkEnvironment, startLocalDatabase } from '../../infra/local/database';
import { installLambdaGlobals, localContext } from '../../infra/local/lambda-runtime';
import { widgetRecords } from '../../infra/state/desired';
import { proxyEventFixture } from '../fixtures/proxy-event';
import { parseSse } from './clocked-perch';

// The Lambda entry modules with the environment Pulumi sets on AWS, edge secret included: a
// request that did not come through CloudFront is refused before anything is read or written,
// and the visitor's IP is the header the viewer-request function set, whatever else is forged.
type Handler = (event: APIGatewayProxyEvent, ...rest: unknown[]) => Promise<APIGatewayProxyResult | undefined>;

const ORIGIN = 'https://docs.example.com'; // the fixture's Origin
const EDGE_SECRET = 'e'.repeat(48);
const SESSION_SECRET = 'edge-refusal-test-secret-0123456789abcdef';
const EDGE_IP = '130.176.0.1';
const PUBLIC_KEY = generatePublicKey();
const table = 'perch-edge';
let database: LocalDatabase;
let doc: ReturnType<typeof createDocumentClient>;
let handlers: Record<RouteName, Handler>;
let session: { sessionId: string; token: string; messageId: string };

class CapturedResponse extends Writable {
  prelude: { statusCode?: number; headers?: Record<string, string> } = {};
  body = '';
  setPrelude(prelude: CapturedResponse['prelude']) {
    this.prelude = prelude;
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void) {
    this.body += chunk.toString();
    done();
  }
}

/** Calls a route's handler, buffered or streamed, as Lambda would; the answer as one shape. */
async function call(name: RouteName, event: APIGatewayProxyEvent) {
  if (!ROUTES.find((r) => r.name === name)!.streaming) {
    const result = (await handlers[name](event, localContext(name)))!;
    return { status: result.statusCode, headers: result.headers ?? {}, body: result.body };
  }
  const stream = new CapturedResponse();
  await handlers[name](event, stream, localContext(name));
  return { status: stream.prelude.statusCode, headers: stream.prelude.headers ?? {}, body: stream.body };
}

/** A request as CloudFront forwards it (edge secret, viewer IP) unless `edge` says otherwise. */
function requestTo(name: RouteName, method: string, edge: Record<string, string> = through('198.51.100.10')) {
  const event = proxyEventFixture();
  const id = session?.sessionId ?? 'none';
  const bodies: Record<RouteName, unknown> = {
    'widget-config': null,
    sessions: { key: PUBLIC_KEY },
    messages: { text: 'How do I rotate the key?' },
    feedback: { messageId: session?.messageId, rating: 'up' },
  };
  const paths: Record<RouteName, [string, Record<string, string> | null]> = {
    'widget-config': [`/v1/widgets/${PUBLIC_KEY}`, { key: PUBLIC_KEY }],
    sessions: ['/v1/sessions', null],
    messages: [`/v1/sessions/${id}/messages`, { sessionId: id }],
    feedback: [`/v1/sessions/${id}/feedback`, { sessionId: id }],
  };
  const [path, pathParameters] = paths[name];
  const body = method === 'OPTIONS' || bodies[name] === null ? null : JSON.stringify(bodies[name]);
  Object.assign(event, { resource: ROUTES.find((r) => r.name === name)!.resource, path, pathParameters, body });
  Object.assign(event, { httpMethod: method });
  if (method === 'OPTIONS') event.headers['access-control-request-method'] = 'POST';
  if (session && name !== 'sessions') event.headers.authorization = `Bearer ${session.token}`;
  else delete event.headers.authorization;
  event.requestContext.identity.sourceIp = EDGE_IP;
  Object.assign(event.headers, edge);
  return event;
}

const through = (viewerIp: string, forged: Record<string, string> = {}) => ({
  [EDGE_SECRET_HEADER]: EDGE_SECRET,
  [VIEWER_IP_HEADER]: viewerIp,
  ...forged,
});

async function runtimeItems() {
  const page = await doc.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
  return (page.Items ?? []).filter((item) => !item.managedBy);
}

const visitorOf = (ip: string) =>
  visitorHash(deriveSessionKeys(SESSION_SECRET).visitorSalt, { sourceIp: ip }, utcDay(Date.now()));

beforeAll(async () => {
  database = await startLocalDatabase();
  await ensureTable(database.client, table);
  const config = resolveConfig(
    validateConfig({
      models: { local: { provider: 'faq' } },
      widgets: {
        'docs-bot': {
          name: 'Docs',
          model: 'local',
          allowedOrigins: [ORIGIN],
          limits: { perMinute: 100, perDay: 1000, perVisitorPerDay: 2 },
          faq: [{ question: 'How do I rotate the key?', answer: 'Raise keyRotation and apply.' }],
        },
      },
    }),
    'local',
  );
  doc = createDocumentClient(database.client);
  const current = { publicKey: PUBLIC_KEY, version: 0 };
  for (const Item of widgetRecords(config.widgets[0]!, { incarnation: 'i-1', current, retired: [] })) {
    await doc.send(new PutCommand({ TableName: table, Item }));
  }
  Object.assign(process.env, localSdkEnvironment(database.endpoint, table), {
    [FUNCTION_ENV.sessionSecret]: SESSION_SECRET,
    [FUNCTION_ENV.edgeSecret]: EDGE_SECRET,
  });
  installLambdaGlobals();
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded after the environment, like a cold start */
  handlers = Object.fromEntries(
    ROUTES.map((r) => [r.name, require(`../../functions/handlers/${r.name}`).handler]),
  ) as typeof handlers;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const started = await call('sessions', requestTo('sessions', 'POST', through('198.51.100.200')));
  const { sessionId, token } = JSON.parse(started.body);
  session = { sessionId, token, messageId: '' };
  const reply = await call('messages', requestTo('messages', 'POST', through('198.51.100.200')));
  session.messageId = (parseSse(reply.body).at(-1)!.data as { messageId: string }).messageId;
});
afterAll(async () => {
  doc.destroy();
  await database.close();
});

const HOSTILE: [string, Record<string, string>][] = [
  ['no edge secret', { [VIEWER_IP_HEADER]: '203.0.113.9' }],
  ['a wrong edge secret', { [EDGE_SECRET_HEADER]: 'f'.repeat(48), [VIEWER_IP_HEADER]: '203.0.113.9' }],
  ['an edge secret of another length', { [EDGE_SECRET_HEADER]: 'e', 'CloudFront-Viewer-Address': '203.0.113.9:1' }],
];

describe.each(ROUTES.flatMap((r) => r.methods.map((m) => [`${m} ${r.resource}`, r.name, m] as const)))(
  '%s straight to the API stage',
  (_label, name, method) => {
    test.each(HOSTILE)('with %s: 403 widget_origin_denied, no CORS grant, nothing written', async (_case, edge) => {
      const before = await runtimeItems();

      const response = await call(name, requestTo(name, method, edge));

      expect(response.status).toBe(403);
      expect(JSON.parse(response.body).error.code).toBe('widget_origin_denied');
      expect(response.headers['Access-Control-Allow-Origin']).toBeUndefined();
      expect(await runtimeItems()).toEqual(before);
    });

    test('through CloudFront, the same request is answered', async () => {
      const response = await call(name, requestTo(name, method, through('198.51.100.77')));

      expect(response.status).toBeLessThan(300);
      expect(response.headers['Access-Control-Allow-Origin']).toBe(ORIGIN);
    });
  },
);

test('a session start counts on the IP the function set, not a forged viewer address or X-Forwarded-For', async () => {
  const forged = { 'CloudFront-Viewer-Address': '203.0.113.66:443', 'X-Forwarded-For': '203.0.113.67' };

  const response = await call('sessions', requestTo('sessions', 'POST', through('192.0.2.10', forged)));

  expect(response.status).toBe(201);
  const starts = (await runtimeItems()).filter((item) => String(item.pk).startsWith('STARTS#'));
  const hour = Math.floor(Date.now() / 3_600_000);
  expect(starts).toContainEqual(
    expect.objectContaining({ ...visitorStartsKey('docs-bot', visitorOf('192.0.2.10'), hour) }),
  );
  for (const ip of ['203.0.113.66', '203.0.113.67', EDGE_IP]) {
    expect(starts.map((item) => item.pk)).not.toContain(`STARTS#docs-bot#${visitorOf(ip)}`);
  }
});

test('IPv6 visitors are one visitor per /64: two addresses of one network share the start count', async () => {
  await call('sessions', requestTo('sessions', 'POST', through('2001:db8:5:6::1')));
  await call('sessions', requestTo('sessions', 'POST', through('2001:db8:5:6:dead:beef:0:9')));

  const starts = (await runtimeItems()).filter((item) => item.pk === `STARTS#docs-bot#${visitorOf('2001:db8:5:6::1')}`);
  expect(starts.map((item) => item.starts)).toEqual([2]);
});

test('perVisitorPerDay on the streamed messages route follows the function header, whatever else varies', async () => {
  const send = (viewerIp: string, forwardedFor: string) =>
    call('messages', requestTo('messages', 'POST', through(viewerIp, { 'X-Forwarded-For': forwardedFor })));

  expect((await send('192.0.2.44', '10.0.0.1')).status).toBe(200);
  expect((await send('192.0.2.44', '10.0.0.2')).status).toBe(200);
  const third = await send('192.0.2.44', '10.0.0.3');
  const other = await send('192.0.2.45', '10.0.0.3');

  expect([third.status, JSON.parse(third.body).error.code]).toEqual([429, 'visitor_daily_cap_exceeded']);
  expect(other.status).toBe(200);
});
