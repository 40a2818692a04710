import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { PerchError } from '../errors/perch-error';

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
/**
 * The visitor's IP, set by Perch's viewer-request CloudFront Function from `event.viewer.ip`
 * (infra/aws/viewer-ip-function.ts), overwriting whatever the viewer sent under that name.
 */
export const VIEWER_IP_HEADER = 'x-perch-viewer-ip';

export interface ProxyEventOptions {
  /** Set on AWS: proves a request came through Perch's CloudFront (see FUNCTION_ENV.edgeSecret). */
  edgeSecret?: string;
  /** Aborts when the client goes away. */
  signal?: AbortSignal;
}

const NEVER = new AbortController().signal;

/**
 * With an edge secret configured, only CloudFront may call: a request without the secret went
 * around it to the API stage, where it could pick its own viewer-IP header. Refused before any
 * work, without a CORS grant (the closest code of DESIGN.md's table; no widget is consulted).
 * True when the request proved it came through CloudFront; false on the local target.
 */
function throughEdge(headers: Record<string, string>, edgeSecret: string | undefined): boolean {
  if (!edgeSecret) return false;
  const given = headers[EDGE_SECRET_HEADER];
  if (given !== undefined && sameSecret(given, edgeSecret)) return true;
  throw new PerchError('widget_origin_denied', {
    message: "Perch's API answers only through its CloudFront domain.",
  });
}

/**
 * The visitor's IP. Behind CloudFront, API Gateway's `sourceIp` is the edge's address; the
 * visitor's is in VIEWER_IP_HEADER, believed only from a request that proved the edge secret.
 * `CloudFront-Viewer-Address` and `X-Forwarded-For` are never used: the managed origin request
 * policy does not forward the first, and the viewer writes the second.
 */
function visitorIp(event: APIGatewayProxyEvent, headers: Record<string, string>, edge: boolean): string {
  const sourceIp = event.requestContext?.identity?.sourceIp ?? '';
  const viewer = headers[VIEWER_IP_HEADER];
  return edge && viewer !== undefined && isIP(viewer) !== 0 ? viewer : sourceIp;
}

const sameSecret = (given: string, expected: string) => {
  const [a, b] = [Buffer.from(given), Buffer.from(expected)];
  return a.length === b.length && timingSafeEqual(a, b);
};

/**
 * Turns an API Gateway REST proxy event into an ApiRequest (AWS types stop here); with an edge
 * secret configured, throws a 403 PerchError for a request that did not come through CloudFront.
 */
export function fromProxyEvent(
  event: APIGatewayProxyEvent,
  { edgeSecret, signal = NEVER }: ProxyEventOptions = {},
): ApiRequest {
  // Null-prototype maps: request data decides the keys, so `__proto__` or `constructor` must be plain keys.
  const headers: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  const edge = throughEdge(headers, edgeSecret);
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
    sourceIp: visitorIp(event, headers, edge),
    requestId: event.requestContext?.requestId ?? '',
    signal,
  };
}
