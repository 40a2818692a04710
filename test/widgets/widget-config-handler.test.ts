import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { type KeyRecord, MANAGED_BY, type WidgetRecord } from '../../functions/records/table';
import { proxyEventFixture } from '../fixtures/proxy-event';

const documentMock = mockClient(DynamoDBDocumentClient);
// Imported after the mock is installed, like Lambda's cold start would build its clients.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { handler } = require('../../functions/handlers/widget-config') as {
  handler: (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
};

const fixture = proxyEventFixture();

const KEY = 'pk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const widget: WidgetRecord = {
  pk: 'WIDGET#docs-bot',
  sk: 'CONFIG',
  managedBy: MANAGED_BY,
  widgetId: 'docs-bot',
  name: 'Docs',
  model: { provider: 'faq' },
  systemPrompt: 'secret prompt',
  greeting: 'Hi',
  placeholder: 'Ask',
  theme: { primary: '#2563eb', position: 'bottom-right' },
  allowedOrigins: ['https://docs.example.com'],
  limits: { perMinute: 10, perDay: 200 },
  status: 'active',
  quickActions: ['Q'],
  feedback: true,
  faq: [],
  retentionDays: 30,
  publicKey: KEY,
  keyVersion: 0,
  keyGrace: {},
  incarnation: 'i-1',
};
const keyRecord: KeyRecord = {
  pk: `KEY#${KEY}`,
  sk: 'KEY',
  managedBy: MANAGED_BY,
  widgetId: 'docs-bot',
  keyVersion: 0,
};

function appearanceEvent(origin: string | undefined, key = KEY, method = 'GET'): APIGatewayProxyEvent {
  const event = structuredClone(fixture);
  event.resource = '/v1/widgets/{key}';
  event.path = `/v1/widgets/${key}`;
  event.httpMethod = method;
  event.pathParameters = { key };
  event.body = null;
  delete event.headers.origin;
  if (origin !== undefined) event.headers.origin = origin;
  return event;
}

const invoke = (event: APIGatewayProxyEvent) => handler(event, {} as Context);

beforeEach(() => {
  documentMock.reset();
  documentMock.on(GetCommand, { Key: { pk: `KEY#${KEY}`, sk: 'KEY' } }).resolves({ Item: keyRecord });
  documentMock.on(GetCommand, { Key: { pk: 'WIDGET#docs-bot', sk: 'CONFIG' } }).resolves({ Item: widget });
});

test('an allowed origin gets the public appearance and a CORS grant for itself', async () => {
  const response = await invoke(appearanceEvent('https://docs.example.com'));
  expect(response.statusCode).toBe(200);
  expect(response.headers).toMatchObject({ 'Access-Control-Allow-Origin': 'https://docs.example.com', Vary: 'Origin' });
  expect(JSON.parse(response.body)).toEqual({
    name: 'Docs',
    greeting: 'Hi',
    placeholder: 'Ask',
    theme: { primary: '#2563eb', position: 'bottom-right', onPrimary: '#ffffff', focusRing: '#2563eb' },
    quickActions: ['Q'],
    feedback: true,
    locale: 'en',
    dir: 'ltr',
    texts: expect.objectContaining({ openChat: 'Open chat', sources: 'Sources' }),
  });
  expect(response.body).not.toContain('secret prompt');
});

test('a foreign origin is refused with 403 widget_origin_denied and no CORS grant', async () => {
  const response = await invoke(appearanceEvent('https://docs.example.com.evil.net'));
  expect(response.statusCode).toBe(403);
  expect(JSON.parse(response.body)).toEqual({
    error: { code: 'widget_origin_denied', message: 'This website is not authorized to use this widget.' },
  });
  expect(response.headers?.['Access-Control-Allow-Origin']).toBeUndefined();
});

test('a key with a bad shape is refused without reading the table', async () => {
  const response = await invoke(appearanceEvent('https://docs.example.com', 'pk_<script>'));
  expect(response.statusCode).toBe(404);
  expect(JSON.parse(response.body).error.code).toBe('widget_not_found');
  expect(documentMock.calls()).toHaveLength(0);
});

test('a preflight from an allowed origin is answered by the handler with 204', async () => {
  const response = await invoke(appearanceEvent('https://docs.example.com', KEY, 'OPTIONS'));
  expect(response.statusCode).toBe(204);
  expect(response.headers).toMatchObject({
    'Access-Control-Allow-Origin': 'https://docs.example.com',
    'Access-Control-Allow-Methods': 'GET, OPTIONS',
  });
});

test('a table failure becomes a generic 500 with the request id and no stack trace', async () => {
  documentMock.on(GetCommand).rejects(new Error('ProvisionedThroughputExceeded at /var/task/index.js:1'));
  const errors = jest.spyOn(Logger.prototype, 'error');
  const response = await invoke(appearanceEvent('https://docs.example.com'));
  expect(response.statusCode).toBe(500);
  const body = JSON.parse(response.body);
  expect(body.error.code).toBe('internal_error');
  expect(body.error.message).toContain(fixture.requestContext.requestId);
  expect(response.body).not.toContain('/var/task');
  // Readable by the page, so the widget can say "failed" rather than "not authorized".
  expect(response.headers?.['Access-Control-Allow-Origin']).toBe('https://docs.example.com');
  expect(errors).toHaveBeenCalledWith('request failed', {
    requestId: fixture.requestContext.requestId,
    widgetId: undefined,
    error: expect.objectContaining({ message: expect.stringContaining('ProvisionedThroughputExceeded') }),
  });
  errors.mockRestore();
});

test('a pale theme colour comes with black text and a black focus ring (no colour maths in the loader)', async () => {
  documentMock
    .on(GetCommand, { Key: { pk: 'WIDGET#docs-bot', sk: 'CONFIG' } })
    .resolves({ Item: { ...widget, theme: { primary: '#fde047', position: 'bottom-left' } } });
  const response = await invoke(appearanceEvent('https://docs.example.com'));
  expect(JSON.parse(response.body).theme).toEqual({
    primary: '#fde047',
    position: 'bottom-left',
    onPrimary: '#000000',
    focusRing: '#000000',
  });
});
