import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../functions/records/client';
import { DEFAULT_TABLE_NAME } from '../../functions/records/table';
import { ROUTES } from '../../functions/routes';
import { counterKey } from '../../functions/usage/counter-record';
import { utcDay } from '../../functions/usage/day';
import { localClientConfig } from '../../infra/local/database';
import { type LocalTarget, startLocalTarget } from '../../infra/local/target';
import { writeConfigFile } from '../fixtures/config-file';

// One local target per test file (the handler modules read the dynalite endpoint at import).
// It listens on every interface so that the test can reach it through a non-loopback address.
const ALLOWED_ORIGIN = 'http://localhost:3000';
let dir: string;
let target: LocalTarget;
let port: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perch-usage-page-'));
  const configFile = join(dir, 'widgets.config.ts');
  writeConfigFile(configFile, {
    models: { local: { provider: 'faq' } },
    widgets: {
      'docs-bot': {
        name: 'Docs <img src=x onerror=alert(1)>',
        model: 'local',
        allowedOrigins: [ALLOWED_ORIGIN],
        faq: [{ question: 'Q?', answer: 'A.' }],
      },
    },
  });
  target = await startLocalTarget({ configFile, port: 0, host: '0.0.0.0', log: () => undefined });
  port = (target.server.address() as AddressInfo).port;
  // Arrange today's counter in the target's own dynalite.
  const client = new DynamoDBClient(localClientConfig(target.databaseEndpoint));
  await createDocumentClient(client).send(
    new PutCommand({
      TableName: DEFAULT_TABLE_NAME,
      Item: {
        ...counterKey('docs-bot', utcDay(Date.now())),
        sessions: 5,
        messages: 1234,
        inputTokens: 56_789,
        outputTokens: 4_321,
        costUsd: 1.5,
        refusals: { '<script>alert(1)</script>': 2, widget_rate_limit: 3 },
        expiresAt: Math.floor(Date.now() / 1000) + 86_400,
      },
    }),
  );
  client.destroy();
});

afterAll(async () => {
  await target?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request, so the test controls Host and reaches the server through any address. */
function send(
  path: string,
  {
    address = '127.0.0.1',
    method = 'GET',
    headers = {},
  }: { address?: string; method?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: address, port, path, method, headers: { Host: `localhost:${port}`, ...headers } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function nonLoopbackAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((info) => info && info.family === 'IPv4' && !info.internal)?.address;
}

test('the operator opening the page on localhost sees the usage with a chart', async () => {
  const answer = await send('/_perch/usage');

  expect(answer.status).toBe(200);
  expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
  expect(answer.body).toContain('<svg');
  expect(answer.body).toContain(
    '<td><a href="/_perch/usage?days=7&amp;widget=docs-bot">docs-bot</a></td>' +
      '<td>5</td><td>1,234</td><td>56,789</td><td>4,321</td><td>$1.50</td>',
  );
  expect(answer.body).toContain(`${utcDay(Date.now())}: 1,234 messages`);
});

test('text from the table is escaped, never markup', async () => {
  const answer = await send('/_perch/usage?widget=docs-bot');

  expect(answer.status).toBe(200);
  expect(answer.body).not.toContain('<script>alert(1)</script>');
  expect(answer.body).not.toContain('<img src=x');
  expect(answer.body).toContain('&#60;script&#62;alert(1)&#60;/script&#62; 2');
  expect(answer.body).toContain('Docs &#60;img src=x onerror=alert(1)&#62;');
});

test('the page forbids scripts, framing and caching', async () => {
  const { headers } = await send('/_perch/usage');

  expect(headers['content-security-policy']).toMatch(
    /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+';.*frame-ancestors 'none'/,
  );
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['cache-control']).toBe('no-store');
});

test('a request through a non-loopback address gets a 404, as if the page did not exist', async () => {
  const address = nonLoopbackAddress();
  if (!address) {
    console.warn('skipped: this machine has no non-loopback IPv4 address to connect through');
    return;
  }

  const page = await send('/_perch/usage', { address });
  const publicRoute = await send(`/v1/widgets/${target.outputs.widgets['docs-bot']!.publicKey}`, {
    address,
    headers: { Origin: ALLOWED_ORIGIN },
  });

  expect(page.status).toBe(404);
  expect(JSON.parse(page.body)).toEqual({ error: { code: 'not_found', message: 'No such route.' } });
  expect(page.body).not.toContain('1,234');
  // The same peer does reach the public API, so the 404 is the page refusing, not the network.
  expect(publicRoute.status).toBe(200);
});

test('a CORS request from an allowed widget origin is refused without a CORS grant', async () => {
  const page = await send('/_perch/usage', {
    headers: { Origin: ALLOWED_ORIGIN, 'Sec-Fetch-Site': 'same-site', 'Sec-Fetch-Mode': 'cors' },
  });
  const preflight = await send('/_perch/usage', {
    method: 'OPTIONS',
    headers: { Origin: ALLOWED_ORIGIN, 'Access-Control-Request-Method': 'GET' },
  });
  const widgetRoute = await send(`/v1/widgets/${target.outputs.widgets['docs-bot']!.publicKey}`, {
    headers: { Origin: ALLOWED_ORIGIN },
  });

  expect(page.status).toBe(403);
  expect(page.body).not.toContain('1,234');
  expect(preflight.status).toBe(403);
  for (const answer of [page, preflight]) expect(answer.headers['access-control-allow-origin']).toBeUndefined();
  // That origin is allowed on the public API: the grant exists there, never on the page.
  expect(widgetRoute.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
});

test.each([
  ['Origin: null', 403, { Origin: 'null' }],
  ['a cross-site request without Origin', 403, { 'Sec-Fetch-Site': 'cross-site' }],
  ['a same-site page (another localhost port)', 403, { 'Sec-Fetch-Site': 'same-site' }],
  ['a rebound DNS name in Host', 403, { Host: 'attacker.example:80' }],
  ['a typed URL (Sec-Fetch-Site: none)', 200, { 'Sec-Fetch-Site': 'none' }],
  ['a link on the page itself', 200, { 'Sec-Fetch-Site': 'same-origin' }],
  ['Host 127.0.0.1', 200, { Host: '127.0.0.1' }],
])('%s → %i', async (_, status, headers) => {
  const answer = await send('/_perch/usage', { headers });
  expect(answer.status).toBe(status);
  expect(answer.headers['access-control-allow-origin']).toBeUndefined();
});

test.each([
  ['/_perch/usage?days=0', 400],
  ['/_perch/usage?days=abc', 400],
  ['/_perch/usage?widget=%3Cscript%3E', 400],
  ['/_perch/usage?admin=1', 400],
  ['/_perch/usage?days=30', 200],
])('%s → %i', async (path, status) => {
  const answer = await send(path);
  expect(answer.status).toBe(status);
  expect(answer.body).not.toContain('<script>');
});

test('only GET and HEAD are answered; HEAD has no body', async () => {
  const post = await send('/_perch/usage', { method: 'POST' });
  const head = await send('/_perch/usage', { method: 'HEAD' });

  expect(post.status).toBe(405);
  expect(post.headers.allow).toBe('GET, HEAD');
  expect(head.status).toBe(200);
  expect(head.body).toBe('');
});

test('the page is not one of the public API routes', () => {
  expect(ROUTES.some((route) => route.resource.includes('_perch'))).toBe(false);
});
