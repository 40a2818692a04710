import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { generatePublicKey } from '../../functions/keys/public-key';
import { createDocumentClient } from '../../functions/records/client';
import { FUNCTION_ENV, ROUTES, type RouteDefinition } from '../../functions/routes';
import { validateConfig } from '../../infra/config/load';
import { resolveConfig } from '../../infra/config/resolve';
import { ensureTable, type LocalDatabase, localSdkEnvironment, startLocalDatabase } from '../../infra/local/database';
import { installLambdaGlobals, localContext } from '../../infra/local/lambda-runtime';
import { widgetRecords } from '../../infra/state/desired';
import { proxyEventFixture } from '../fixtures/proxy-event';

// On AWS each function's role allows only the DynamoDB actions routes.ts declares for it; the
// local target has no IAM. Here the handlers talk to dynalite through a proxy that refuses any
// action the function being called did not declare, as IAM would (AccessDeniedException).
type BufferedHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
type StreamingHandler = (event: APIGatewayProxyEvent, stream: Writable, context: Context) => Promise<void>;

const ORIGIN = 'https://docs.example.com'; // the fixture's Origin
const PUBLIC_KEY = generatePublicKey();
const TABLE = 'perch-iam';
let database: LocalDatabase;
let proxy: Server;
const denied: string[] = [];
const handlers: Record<string, unknown> = {};
/** The function whose role the proxy enforces; calls are sequential, so one at a time. */
let acting: RouteDefinition;

function iamProxy(upstream: string): Promise<string> {
  proxy = createServer((req, res) => {
    const fn = acting;
    const action = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    if (!(fn.tableActions as string[]).includes(action)) {
      denied.push(`${fn.name}: ${action}`);
      req.resume();
      res.writeHead(400, { 'Content-Type': 'application/x-amz-json-1.0' });
      res.end(
        JSON.stringify({
          __type: 'com.amazon.coral.service#AccessDeniedException',
          message: `not authorized to perform dynamodb:${action}`,
        }),
      );
      return;
    }
    const forward = request(
      upstream,
      { method: req.method, path: req.url, headers: { ...req.headers, host: new URL(upstream).host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 500, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(forward);
  });
  return new Promise((done) =>
    proxy.listen(0, '127.0.0.1', () => done(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}`)),
  );
}

beforeAll(async () => {
  database = await startLocalDatabase();
  await ensureTable(database.client, TABLE);
  const config = resolveConfig(
    validateConfig({
      models: { local: { provider: 'faq' } },
      widgets: {
        'docs-bot': {
          name: 'Docs',
          model: 'local',
          allowedOrigins: [ORIGIN],
          limits: { perMinute: 100, perDay: 1000, perVisitorPerDay: 5 },
          feedback: true,
          faq: [{ question: 'How do I rotate the key?', answer: 'Raise keyRotation and apply.' }],
        },
      },
    }),
    'local',
  );
  const doc = createDocumentClient(database.client);
  for (const Item of widgetRecords(config.widgets[0]!, {
    incarnation: 'i-1',
    current: { publicKey: PUBLIC_KEY, version: 0 },
    retired: [],
  })) {
    await doc.send(new PutCommand({ TableName: TABLE, Item }));
  }
  const endpoint = await iamProxy(database.endpoint);
  Object.assign(process.env, localSdkEnvironment(endpoint, TABLE), {
    [FUNCTION_ENV.sessionSecret]: 'declared-table-actions-secret-0123456789',
  });
  installLambdaGlobals();
  for (const fn of ROUTES) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after the environment, like a cold start
    handlers[fn.name] = require(`../../functions/handlers/${fn.name}`).handler;
  }
});
afterAll(async () => {
  proxy.closeAllConnections();
  await new Promise((done) => proxy.close(done));
  await database.close();
});

const as = (name: string) => (acting = ROUTES.find((r) => r.name === name)!);

class CapturedResponse extends Writable {
  prelude: { statusCode?: number } = {};
  body = '';
  setPrelude(prelude: { statusCode?: number }) {
    this.prelude = prelude;
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void) {
    this.body += chunk.toString();
    done();
  }
}

function event(
  method: string,
  resource: string,
  path: string,
  pathParameters: Record<string, string> | null,
  body?: unknown,
  token?: string,
) {
  const e = proxyEventFixture();
  Object.assign(e, {
    httpMethod: method,
    resource,
    path,
    pathParameters,
    body: body === undefined ? null : JSON.stringify(body),
  });
  delete e.headers.authorization;
  if (token) e.headers.authorization = `Bearer ${token}`;
  return e;
}

async function streamed(e: APIGatewayProxyEvent) {
  const response = new CapturedResponse();
  await (handlers[as('messages').name] as StreamingHandler)(e, response, localContext('messages'));
  return response;
}
const buffered = (name: string, e: APIGatewayProxyEvent) =>
  (handlers[as(name).name] as BufferedHandler)(e, localContext(name));

test('a visitor journey on every route needs no table action its function did not declare', async () => {
  const appearance = await buffered(
    'widget-config',
    event('GET', '/v1/widgets/{key}', `/v1/widgets/${PUBLIC_KEY}`, { key: PUBLIC_KEY }),
  );
  expect(appearance.statusCode).toBe(200);

  const started = await buffered('sessions', event('POST', '/v1/sessions', '/v1/sessions', null, { key: PUBLIC_KEY }));
  expect(started.statusCode).toBe(201);
  const { sessionId, token } = JSON.parse(started.body) as { sessionId: string; token: string };

  const messages = `/v1/sessions/${sessionId}/messages`;
  const reply = await streamed(
    event(
      'POST',
      '/v1/sessions/{sessionId}/messages',
      messages,
      { sessionId },
      { text: 'How do I rotate the key?' },
      token,
    ),
  );
  expect(reply.prelude.statusCode).toBe(200);
  const done = /event: done\ndata: (.*)\n/.exec(reply.body);
  expect(done).not.toBeNull();
  const { messageId } = JSON.parse(done![1]!) as { messageId: string };

  const messagesPreflight = await streamed(
    event('OPTIONS', '/v1/sessions/{sessionId}/messages', messages, { sessionId }),
  );
  expect(messagesPreflight.prelude.statusCode).toBe(204);

  const feedback = `/v1/sessions/${sessionId}/feedback`;
  const rated = await buffered(
    'feedback',
    event('POST', '/v1/sessions/{sessionId}/feedback', feedback, { sessionId }, { messageId, rating: 'up' }, token),
  );
  expect(rated.statusCode).toBe(204);

  const resumed = await buffered(
    'sessions',
    event('POST', '/v1/sessions', '/v1/sessions', null, { key: PUBLIC_KEY, resume: token }),
  );
  expect(resumed.statusCode).toBe(201);
  const preflight = await buffered(
    'feedback',
    event('OPTIONS', '/v1/sessions/{sessionId}/feedback', feedback, { sessionId }),
  );
  expect(preflight.statusCode).toBe(204);

  expect(denied).toEqual([]);
});
