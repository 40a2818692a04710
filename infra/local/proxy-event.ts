import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEvent } from 'aws-lambda';

export interface ProxyEventOptions {
  /** The request's URL, read once by the server (see requestUrl). */
  url: URL;
  resource: string;
  pathParameters: Record<string, string> | null;
  body: Buffer;
  stage?: string;
  now?: Date;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// API Gateway's requestTime format: 24/Nov/2026:12:00:00 +0000
function requestTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const day = `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}`;
  return `${day}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

/**
 * Builds the event API Gateway (REST API, Lambda proxy integration) would hand a Lambda for
 * this request — the shape of `shared/fixtures/apigw-rest-proxy-event.json`: header names keep
 * the client's case, repeated headers become lists, the body is a string (base64 if binary).
 */
export function toProxyEvent(
  req: IncomingMessage,
  { url, resource, pathParameters, body, stage = 'local', now = new Date() }: ProxyEventOptions,
): APIGatewayProxyEvent {
  // Null-prototype maps: a header or query name such as `constructor` or `__proto__` is just a key.
  const headers: Record<string, string> = Object.create(null);
  const multiValueHeaders: Record<string, string[]> = Object.create(null);
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    const value = req.rawHeaders[i + 1]!;
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const query: Record<string, string> = Object.create(null);
  const multiQuery: Record<string, string[]> = Object.create(null);
  for (const [name, value] of url.searchParams) {
    query[name] = value;
    (multiQuery[name] ??= []).push(value);
  }
  const hasQuery = Object.keys(query).length > 0;
  const text = body.toString('utf8');
  const isBinary = body.length > 0 && !Buffer.from(text, 'utf8').equals(body);
  const sourceIp = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  const userAgent = req.headers['user-agent'] ?? null;
  const host = req.headers.host ?? 'localhost';
  const method = (req.method ?? 'GET').toUpperCase();
  return {
    resource,
    path: url.pathname,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters,
    stageVariables: null,
    requestContext: {
      resourceId: 'local',
      resourcePath: resource,
      httpMethod: method,
      extendedRequestId: randomUUID(),
      requestTime: requestTime(now),
      path: `/${stage}${url.pathname}`,
      accountId: '000000000000',
      protocol: `HTTP/${req.httpVersion}`,
      stage,
      domainPrefix: host.split('.')[0]!.split(':')[0]!,
      requestTimeEpoch: now.getTime(),
      requestId: randomUUID(),
      identity: {
        cognitoIdentityPoolId: null,
        accountId: null,
        cognitoIdentityId: null,
        caller: null,
        sourceIp,
        principalOrgId: null,
        accessKey: null,
        cognitoAuthenticationType: null,
        cognitoAuthenticationProvider: null,
        userArn: null,
        userAgent,
        user: null,
      },
      domainName: host,
      apiId: 'local',
    },
    body: body.length === 0 ? null : isBinary ? body.toString('base64') : text,
    isBase64Encoded: isBinary,
  } as APIGatewayProxyEvent;
}
