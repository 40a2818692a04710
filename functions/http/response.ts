import type { APIGatewayProxyResult } from 'aws-lambda';
import { errorBody, type PerchError } from '../errors/perch-error';

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface CorsOptions {
  /** Methods a preflight admits, e.g. `POST, OPTIONS`. */
  methods?: string;
  /** Other request headers the answer varies on, e.g. `Accept-Language`. */
  vary?: string;
}

const ALLOWED_HEADERS = 'Content-Type, Authorization, Accept';
const PREFLIGHT_MAX_AGE = '600';

/** The CORS grant for an admitted origin; `Vary: Origin` keeps caches from mixing origins. */
export function corsHeaders(origin: string | undefined, { methods, vary }: CorsOptions = {}): Record<string, string> {
  const Vary = vary ? `Origin, ${vary}` : 'Origin';
  if (origin === undefined) return { Vary };
  const headers: Record<string, string> = { 'Access-Control-Allow-Origin': origin, Vary };
  if (methods) {
    headers['Access-Control-Allow-Methods'] = methods;
    headers['Access-Control-Allow-Headers'] = ALLOWED_HEADERS;
    headers['Access-Control-Max-Age'] = PREFLIGHT_MAX_AGE;
  }
  return headers;
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): ApiResponse {
  return {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

/** `{ error: { code, message } }` with the error's status and headers, readable by `grantOrigin` if set. */
export function errorResponse(
  error: PerchError,
  grantOrigin: string | undefined,
  message: string = error.message,
): ApiResponse {
  return {
    status: error.status,
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
      ...corsHeaders(grantOrigin),
      ...error.headers,
    },
    body: errorBody(error.code, message),
  };
}

export function toProxyResult(response: ApiResponse): APIGatewayProxyResult {
  return { statusCode: response.status, headers: response.headers, body: response.body };
}
