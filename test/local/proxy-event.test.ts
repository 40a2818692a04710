import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { toProxyEvent } from '../../infra/local/proxy-event';
import { proxyEventFixture } from '../fixtures/proxy-event';

const fixture = proxyEventFixture();

/** Sends one raw HTTP request to a throwaway server and returns what the adapter makes of it. */
async function eventFor(
  options: { method: string; path: string; headers: [string, string][]; body?: Buffer },
  resource = '/v1/sessions/{sessionId}/messages',
  pathParameters: Record<string, string> | null = { sessionId: 's1' },
): Promise<APIGatewayProxyEvent> {
  let event: APIGatewayProxyEvent | undefined;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const now = new Date(Date.UTC(2026, 10, 24, 12, 0, 0));
      const url = new URL(req.url!, 'http://local');
      event = toProxyEvent(req, { url, resource, pathParameters, body: Buffer.concat(chunks), now });
      res.end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  try {
    await new Promise<void>((done, fail) => {
      const port = (server.address() as AddressInfo).port;
      const client = request({ host: '127.0.0.1', port, method: options.method, path: options.path }, (res) => {
        res.resume();
        res.on('end', () => done());
      });
      // setHeader would merge repeats; appendHeader keeps each one, like a browser's raw request.
      for (const [name, value] of options.headers) client.appendHeader(name, value);
      client.on('error', fail);
      client.end(options.body);
    });
  } finally {
    server.close();
  }
  if (!event) throw new Error('the server saw no request');
  return event;
}

/** The set of key paths of a JSON-like value, e.g. `requestContext.identity.sourceIp`. */
function shapeOf(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [prefix];
  return Object.keys(value).flatMap((key) =>
    [
      'headers',
      'multiValueHeaders',
      'pathParameters',
      'queryStringParameters',
      'multiValueQueryStringParameters',
    ].includes(key)
      ? [`${prefix}${key}`]
      : shapeOf((value as Record<string, unknown>)[key], `${prefix}${key}.`),
  );
}

test('a request becomes an event of exactly the fixture shape, with its values', async () => {
  const body = Buffer.from('{"text":"How do I rotate the key?"}');
  const event = await eventFor({
    method: 'POST',
    path: '/v1/sessions/s1/messages',
    headers: [
      ['accept', 'text/event-stream'],
      ['Content-Type', 'application/json'],
      ['origin', 'https://docs.example.com'],
      ['User-Agent', 'test-agent'],
    ],
    body,
  });

  expect(shapeOf(event).sort()).toEqual(shapeOf(fixture).sort());
  expect(event).toMatchObject({
    resource: '/v1/sessions/{sessionId}/messages',
    path: '/v1/sessions/s1/messages',
    httpMethod: 'POST',
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { sessionId: 's1' },
    stageVariables: null,
    body: '{"text":"How do I rotate the key?"}',
    isBase64Encoded: false,
  });
  expect(event.headers).toMatchObject({
    accept: 'text/event-stream',
    'Content-Type': 'application/json',
    origin: 'https://docs.example.com',
  });
  expect(event.multiValueHeaders.origin).toEqual(['https://docs.example.com']);
  expect(event.requestContext).toMatchObject({
    resourcePath: '/v1/sessions/{sessionId}/messages',
    httpMethod: 'POST',
    path: '/local/v1/sessions/s1/messages',
    stage: 'local',
    protocol: 'HTTP/1.1',
    requestTime: '24/Nov/2026:12:00:00 +0000',
    requestTimeEpoch: Date.UTC(2026, 10, 24, 12, 0, 0),
    identity: { sourceIp: '127.0.0.1', userAgent: 'test-agent' },
  });
});

test('repeated headers and query parameters keep the last value, and every value in the multi-value maps', async () => {
  const event = await eventFor(
    {
      method: 'GET',
      path: '/v1/widgets/pk_x?lang=en&lang=fr&q=a%20b',
      headers: [
        ['X-Tag', 'one'],
        ['X-Tag', 'two'],
      ],
    },
    '/v1/widgets/{key}',
    { key: 'pk_x' },
  );

  expect(event.headers['X-Tag']).toBe('two');
  expect(event.multiValueHeaders['X-Tag']).toEqual(['one', 'two']);
  expect(event.queryStringParameters).toEqual({ lang: 'fr', q: 'a b' });
  expect(event.multiValueQueryStringParameters).toEqual({ lang: ['en', 'fr'], q: ['a b'] });
  expect(event.body).toBeNull();
  expect(event.isBase64Encoded).toBe(false);
});

test('a body that is not UTF-8 arrives base64-encoded', async () => {
  const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x81]);
  const event = await eventFor({
    method: 'POST',
    path: '/v1/sessions/s1/messages',
    headers: [['Content-Type', 'application/octet-stream']],
    body: bytes,
  });

  expect(event.isBase64Encoded).toBe(true);
  expect(Buffer.from(event.body!, 'base64')).toEqual(bytes);
});
