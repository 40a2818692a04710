import { timingSafeEqual } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';

/** The plain request the domain code sees: lower-case header names, decoded body. */
export interface ApiRequest {
  method: string;
  path: string;
  pathParams: Record<string, string>;
  headers: Record<string, string>;
  body: string;
  sourceIp: string;
  requestId: string;
  /** Aborts when the client goes away (streaming handlers); never, where that cannot be seen. */
  signal: AbortSignal;
}

/** The header CloudFront adds to API requests, holding the edge secret. */
export const EDGE_SECRET_HEADER = 'x-perch-edge';

export interface ProxyEventOptions {
  /** Set on AWS: proves a request came through Perch's CloudFront (see FUNCTION_ENV.edgeSecret). */
  edgeSecret?: string;
  /** Aborts when the client goes away. */
  signal?: AbortSignal;
}

const NEVER = new AbortController().signal;

/**
 * The visitor's IP. Behind CloudFront, API Gateway's `sourceIp` is the edge's address; the
 * visitor's is in `CloudFront-Viewer-Address` ("ip:port"), trusted only with the edge secret,
 * since anyone calling the API directly could send that header. `X-Forwarded-For` is never used.
 */
function visitorIp(
  event: APIGatewayProxyEvent,
  headers: Record<string, string>,
  edgeSecret: string | undefined,
): string {
  const sourceIp = event.requestContext?.identity?.sourceIp ?? '';
  const given = headers[EDGE_SECRET_HEADER];
  const viewer = headers['cloudfront-viewer-address'];
  if (!edgeSecret || !given || !viewer || !sameSecret(given, edgeSecret)) return sourceIp;
  const ip = viewer.slice(0, viewer.lastIndexOf(':'));
  return ip === '' ? sourceIp : ip;
}

const sameSecret = (given: string, expected: string) => {
  const [a, b] = [Buffer.from(given), Buffer.from(expected)];
  return a.length === b.length && timingSafeEqual(a, b);
};

/** Turns an API Gateway REST proxy event into an ApiRequest (AWS types stop here). */
export function fromProxyEvent(
  event: APIGatewayProxyEvent,
  { edgeSecret, signal = NEVER }: ProxyEventOptions = {},
): ApiRequest {
  // Null-prototype maps: request data decides the keys, so `__proto__` or `constructor` must be plain keys.
  const headers: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  const pathParams: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(event.pathParameters ?? {})) {
    if (value !== undefined) pathParams[name] = value;
  }
  const raw = event.body ?? '';
  return {
    method: event.httpMethod.toUpperCase(),
    path: event.path,
    pathParams,
    headers,
    body: event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw,
    sourceIp: visitorIp(event, headers, edgeSecret),
    requestId: event.requestContext?.requestId ?? '',
    signal,
  };
}
