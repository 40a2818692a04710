import { request } from 'node:http';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { type LocalDatabase, startLocalDatabase } from '../../infra/local/database';

// dynalite accepts any signature and grants `Access-Control-Allow-Origin: *`: without a guard,
// any web page the operator visits could read or rewrite the local table on its loopback port.
describe('local database refuses browsers', () => {
  let database: LocalDatabase;
  beforeAll(async () => {
    database = await startLocalDatabase();
  });
  afterAll(() => database.close());

  // node:http, not fetch: fetch may not send a Host of our choosing.
  const scan = (headers: Record<string, string>, method = 'POST') =>
    new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((done, fail) => {
      const req = request(
        database.endpoint,
        {
          method,
          headers: {
            'Content-Type': 'application/x-amz-json-1.0',
            'X-Amz-Target': 'DynamoDB_20120810.ListTables',
            Authorization: 'AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=f',
            'X-Amz-Date': '20260101T000000Z',
            ...headers,
          },
        },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body }));
        },
      );
      req.on('error', fail);
      req.end(method === 'POST' ? '{}' : undefined);
    });

  it('answers the same raw request without those headers (the guard is what refuses)', async () => {
    const response = await scan({});
    expect(response.status).toBe(200);
    expect(response.body).toContain('TableNames');
  });

  it('still serves the SDK', async () => {
    await expect(database.client.send(new ScanCommand({ TableName: 'absent' }))).rejects.toThrow(
      /non-existent table|not found/i,
    );
  });

  it.each([
    ['a request from a web page (Origin)', { Origin: 'https://evil.example' }, 'POST'],
    ['a CORS preflight', { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' }, 'OPTIONS'],
    ['a rebound DNS name (Host)', { Host: 'evil.example' }, 'POST'],
  ])('refuses %s with 403 and no CORS grant', async (_, headers, method) => {
    const response = await scan(headers, method);
    expect(response.status).toBe(403);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    expect(response.body).not.toContain('TableNames');
  });
});
