import { Writable } from 'node:stream';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { generatePublicKey } from '../../functions/keys/public-key';
import { createDocumentClient } from '../../functions/records/client';
import { FUNCTION_ENV } from '../../functions/routes';
import { validateConfig } from '../../infra/config/load';
import { resolveConfig } from '../../infra/config/resolve';
import { ensureTable, type LocalDatabase, localSdkEnvironment, startLocalDatabase } from '../../infra/local/database';
import { installLambdaGlobals, localContext } from '../../infra/local/lambda-runtime';
import { widgetRecords } from '../../infra/state/desired';
import { proxyEventFixture } from '../fixtures/proxy-event';
import { parseSse } from './clocked-perch';

// The Lambda entry modules themselves (functions/handlers/*.ts), called in-process with the API
// Gateway REST proxy event fixture, against dynalite holding the records widgetRecords computes.
type BufferedHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
type StreamingHandler = (event: APIGatewayProxyEvent, stream: Writable, context: Context) => Promise<void>;

const ORIGIN = 'https://docs.example.com'; // the fixture's Origin
const PUBLIC_KEY = generatePublicKey();
let database: LocalDatabase;
let handlers: { sessions: BufferedHandler; feedback: BufferedHandler; messages: StreamingHandler };

beforeAll(async () => {
  database = await startLocalDatabase();
  const table = 'perch-lambda';
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
  const doc = createDocumentClient(database.client);
  for (const Item of widgetRecords(config.widgets[0]!, {
    incarnation: 'i-1',
    current: { publicKey: PUBLIC_KEY, version: 0 },
    retired: [],
  })) {
    await doc.send(new PutCommand({ TableName: table, Item }));
  }
  Object.assign(process.env, localSdkEnvironment(database.endpoint, table), {
    [FUNCTION_ENV.sessionSecret]: 'lambda-handlers-test-secret-0123456789',
  });
  installLambdaGlobals(); // Lambda's runtime provides `awslambda` before loading a handler
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded after the environment, like a cold start */
  handlers = {
    sessions: require('../../functions/handlers/sessions').handler,
    feedback: require('../../functions/handlers/feedback').handler,
    messages: require('../../functions/handlers/messages').handler,
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
});
afterAll(() => database.close());

/** What Lambda's response stream receives: the prelude (status, headers), then the body bytes. */
class CapturedResponse extends Writable {
  prelude: { statusCode?: number; headers?: Record<string, string> } = {};
  body = '';
  setPrelude(prelude: { statusCode?: number; headers?: Record<string, string> }) {
    this.prelude = prelude;
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void) {
    this.body += chunk.toString();
    done();
  }
}

function sessionEvent(body: unknown): APIGatewayProxyEvent {
  const event = proxyEventFixture();
  Object.assign(event, {
    resource: '/v1/sessions',
    path: '/v1/sessions',
    pathParameters: null,
    body: JSON.stringify(body),
  });
  delete event.headers.authorization;
  return event;
}

function messageEvent(
  sessionId: string,
  token: string | undefined,
  text: string,
  sourceIp = '203.0.113.7',
): APIGatewayProxyEvent {
  const event = proxyEventFixture();
  Object.assign(event, {
    path: `/v1/sessions/${sessionId}/messages`,
    pathParameters: { sessionId },
    body: JSON.stringify({ text }),
  });
  if (token) event.headers.authorization = `Bearer ${token}`;
  event.requestContext.identity.sourceIp = sourceIp;
  return event;
}

async function streamed(event: APIGatewayProxyEvent) {
  const response = new CapturedResponse();
  await handlers.messages(event, response, localContext('messages'));
  return response;
}

async function startSession() {
  const result = await handlers.sessions(sessionEvent({ key: PUBLIC_KEY }), localContext('sessions'));
  expect(result.statusCode).toBe(201);
  return JSON.parse(result.body) as { sessionId: string; token: string };
}

test('the sessions handler answers the proxy event with 201, a session and a CORS grant', async () => {
  const result = await handlers.sessions(sessionEvent({ key: PUBLIC_KEY }), localContext('sessions'));

  expect(result.statusCode).toBe(201);
  expect(result.headers).toMatchObject({ 'Access-Control-Allow-Origin': ORIGIN, Vary: 'Origin' });
  expect(JSON.parse(result.body)).toEqual({
    sessionId: expect.any(String),
    token: expect.any(String),
    expiresAt: expect.any(String),
    history: [],
  });
});

test(
  "the fixture's forged token is refused by the streaming messages handler: " + '401 session_invalid, as JSON',
  async () => {
    const response = await streamed(proxyEventFixture());

    expect(response.prelude).toMatchObject({ statusCode: 401, headers: { 'Access-Control-Allow-Origin': ORIGIN } });
    expect(JSON.parse(response.body)).toEqual({
      error: { code: 'session_invalid', message: 'The chat session is invalid.' },
    });
  },
);

test('the streaming messages handler sends the SSE prelude, then delta and done events', async () => {
  const session = await startSession();

  const response = await streamed(
    messageEvent(session.sessionId, session.token, 'How do I rotate the key?', '198.51.100.1'),
  );

  expect(response.prelude).toMatchObject({
    statusCode: 200,
    headers: { 'Content-Type': 'text/event-stream; charset=utf-8' },
  });
  const events = parseSse(response.body);
  expect(events.map((e) => e.event)).toEqual(['delta', 'delta', 'delta', 'delta', 'done']);
});

test('perVisitorPerDay follows the source IP API Gateway saw, not a spoofable X-Forwarded-For', async () => {
  const session = await startSession();
  const spoofed = (forwardedFor: string) => {
    const event = messageEvent(session.sessionId, session.token, 'rotate?', '192.0.2.44');
    event.headers['X-Forwarded-For'] = forwardedFor;
    event.multiValueHeaders['X-Forwarded-For'] = [forwardedFor];
    return event;
  };

  expect((await streamed(spoofed('10.0.0.1'))).prelude.statusCode).toBe(200);
  expect((await streamed(spoofed('10.0.0.2'))).prelude.statusCode).toBe(200);
  const third = await streamed(spoofed('10.0.0.3'));

  expect(third.prelude.statusCode).toBe(429);
  expect(JSON.parse(third.body).error.code).toBe('visitor_daily_cap_exceeded');
});

test('the feedback handler accepts a base64-encoded body, as API Gateway may send one', async () => {
  const session = await startSession();
  const reply = parseSse(
    (await streamed(messageEvent(session.sessionId, session.token, 'rotate?', '198.51.100.2'))).body,
  );
  const { messageId } = reply.at(-1)!.data as { messageId: string };
  const event = messageEvent(session.sessionId, session.token, '');
  Object.assign(event, {
    resource: '/v1/sessions/{sessionId}/feedback',
    path: `/v1/sessions/${session.sessionId}/feedback`,
    body: Buffer.from(JSON.stringify({ messageId, rating: 'up' })).toString('base64'),
    isBase64Encoded: true,
  });

  const result = await handlers.feedback(event, localContext('feedback'));

  expect([result.statusCode, result.body]).toEqual([204, '']);
});

test('a preflight reaches the streaming handler and is answered 204 with the grant', async () => {
  const session = await startSession();
  const event = messageEvent(session.sessionId, undefined, '');
  Object.assign(event, { httpMethod: 'OPTIONS', body: null });

  const response = await streamed(event);

  expect(response.prelude).toMatchObject({
    statusCode: 204,
    headers: { 'Access-Control-Allow-Origin': ORIGIN, 'Access-Control-Allow-Methods': 'POST, OPTIONS' },
  });
});
