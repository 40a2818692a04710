import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { PerchError } from '../../functions/errors/perch-error';
import { createApiHandler } from '../../functions/http/api-handler';
import { describeError } from '../../functions/http/edge';
import type { ApiRequest } from '../../functions/http/request';
import { proxyEventFixture } from '../fixtures/proxy-event';

// The middy wiring every buffered handler shares: one log line per request, errors mapped from one table.
const context = {} as Context;
const logger = new Logger();
let info: jest.SpyInstance;
let error: jest.SpyInstance;
beforeEach(() => {
  info = jest.spyOn(logger, 'info');
  error = jest.spyOn(logger, 'error');
});
afterEach(() => jest.restoreAllMocks());

type Route = (
  request: ApiRequest,
) => Promise<never> | Promise<{ status: number; headers: Record<string, string>; body: string }>;
type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
const invoke = (route: Route) =>
  (createApiHandler(route, { logger }) as unknown as Handler)(proxyEventFixture(), context);

test('the route sees a plain request: lower-case headers, path parameters, source IP and request id', async () => {
  let seen: ApiRequest | undefined;
  await invoke(async (request) => {
    seen = request;
    return { status: 204, headers: {}, body: '' };
  });
  expect(seen).toMatchObject({
    method: 'POST',
    pathParams: { sessionId: '0b6f4c9e-2f0a-4d5e-9a57-6a1d2c3b4e5f' },
    headers: { origin: 'https://docs.example.com', host: 'abc123.execute-api.us-east-1.amazonaws.com' },
    body: '{"text":"How do I rotate the key?"}',
    sourceIp: '203.0.113.7',
    requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
  });
});

test.each([
  ['widget_rate_limit', 429, { 'Retry-After': '12' }],
  ['widget_origin_denied', 403, {}],
  ['session_expired', 401, {}],
  ['budget_exhausted', 503, {}],
  ['payload_too_large', 413, {}],
] as const)(
  'a %s refusal becomes status %i with its headers and the {error:{code,message}} body',
  async (code, status, headers) => {
    const corsOrigin = code === 'widget_origin_denied' ? undefined : 'https://docs.example.com';
    const result = await invoke(async () => {
      throw new PerchError(code, { headers });
    });

    expect(result.statusCode).toBe(status);
    expect(result.headers).toEqual({
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
      Vary: 'Origin',
      ...(corsOrigin ? { 'Access-Control-Allow-Origin': corsOrigin } : {}),
      ...headers,
    });
    expect(JSON.parse(result.body)).toEqual({ error: { code, message: expect.any(String) } });
    // 5xx refusals log at error level (an alarm), the others at info
    expect(status >= 500 ? error : info).toHaveBeenCalledWith(
      'request',
      expect.objectContaining({ status, ms: expect.any(Number) }),
    );
  },
);

test(
  'an unexpected error is a generic 500 naming the request id, ' + 'logged with its cause chain, never shown',
  async () => {
    const result = await invoke(async () => {
      throw new Error('wrapper', {
        cause: new TypeError("Cannot read properties of undefined (reading 'turns') at /var/task/index.js:1"),
      });
    });

    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body)).toEqual({
      error: {
        code: 'internal_error',
        message: 'Failed to start chat. Please try again. (request c6af9ac6-7b61-11e6-9a41-93e8deadbeef)',
      },
    });
    expect(result.body).not.toContain('/var/task');
    expect(error.mock.calls[0]![0]).toBe('request');
    expect(error.mock.calls[0]![1]).toMatchObject({
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      status: 500,
      error: {
        name: 'Error',
        message: 'wrapper',
        cause: { name: 'TypeError', message: expect.stringContaining("reading 'turns'") },
      },
    });
  },
);

test('every request logs one JSON line with its request id, method, path and status', async () => {
  await invoke(async () => ({ status: 200, headers: {}, body: '{}' }));
  expect(info).toHaveBeenCalledTimes(1);
  expect(info.mock.calls[0]![1]).toMatchObject({
    requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    method: 'POST',
    path: '/v1/sessions/0b6f4c9e-2f0a-4d5e-9a57-6a1d2c3b4e5f/messages',
    status: 200,
    ms: expect.any(Number),
  });
});

test('describeError keeps the PerchError code and the whole cause chain', () => {
  const chain = new PerchError('upstream_error', { cause: new Error('HTTP 429', { cause: 'quota' }) });
  expect(describeError(chain)).toEqual({
    name: 'PerchError',
    message: 'Failed to send message. Please try again.',
    code: 'upstream_error',
    cause: { name: 'Error', message: 'HTTP 429', cause: 'quota' },
  });
});
