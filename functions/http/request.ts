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
}

/** Turns an API Gateway REST proxy event into an ApiRequest (AWS types stop here). */
export function fromProxyEvent(event: APIGatewayProxyEvent): ApiRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  const pathParams: Record<string, string> = {};
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
    sourceIp: event.requestContext?.identity?.sourceIp ?? '',
    requestId: event.requestContext?.requestId ?? '',
  };
}
