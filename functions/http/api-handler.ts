import type { Readable } from 'node:stream';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { PerchError } from '../errors/perch-error';
import { readableOrigin } from '../origins/origin';
import { FUNCTION_ENV } from '../routes';
import { fromProxyEvent, type ApiRequest } from './request';
import { errorResponse, toProxyResult, type ApiResponse } from './response';

type Logger = Pick<Console, 'info' | 'error'>;

/**
 * Logs one JSON line per request with its request id, and turns every error into
 * `{ error: { code, message } }`: PerchErrors with their status, anything else as a generic
 * 500 that names the request id but never shows a stack trace to the visitor.
 */
export function apiErrors({ logger = console }: { logger?: Logger } = {}): middy.MiddlewareObj<
  APIGatewayProxyEvent,
  APIGatewayProxyResult
> {
  const started = new WeakMap<object, number>();
  const log = (request: middy.Request<APIGatewayProxyEvent, APIGatewayProxyResult>, status: number, error?: unknown) => {
    const event = request.event;
    const line = {
      requestId: event.requestContext?.requestId,
      method: event.httpMethod,
      path: event.path,
      status,
      ms: Date.now() - (started.get(request) ?? Date.now()),
      ...(error ? { error: describeError(error) } : {}),
    };
    (status >= 500 ? logger.error : logger.info)(JSON.stringify(line));
  };
  return {
    before: (request) => {
      started.set(request, Date.now());
    },
    after: (request) => {
      log(request, request.response?.statusCode ?? 0);
    },
    onError: (request) => {
      const error = request.error;
      const known =
        error instanceof PerchError
          ? error
          : new PerchError('internal_error', {
              message: `Failed to start chat. Please try again. (request ${request.event.requestContext?.requestId ?? 'unknown'})`,
              cause: error,
              // Readable by the page, so the widget says "failed" and not "not authorized".
              corsOrigin: readableOrigin(fromProxyEvent(request.event).headers.origin),
            });
      request.response = toProxyResult(errorResponse(known));
      log(request, known.status, known.status >= 500 ? error : known.code);
    },
  };
}

/** The error and its `cause` chain, as plain data for a log line. */
export function describeError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  return {
    name: error.name,
    message: error.message,
    ...(error instanceof PerchError ? { code: error.code } : {}),
    ...(error.cause !== undefined ? { cause: describeError(error.cause) } : {}),
  };
}

// Read once at cold start; unset on the local target, where sourceIp is the visitor's own.
const proxyEventOptions = () => ({ edgeSecret: process.env[FUNCTION_ENV.edgeSecret] });

/** Wires a domain route (ApiRequest → ApiResponse) into a Lambda proxy handler with middy. */
export function createApiHandler(route: (request: ApiRequest) => Promise<ApiResponse>) {
  const options = proxyEventOptions();
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(apiErrors())
    .handler(async (event) => toProxyResult(await route(fromProxyEvent(event, options))));
}

/**
 * The same wiring for a route whose body may be a stream: middy's `streamifyResponse` mode
 * wraps it in `awslambda.streamifyResponse` (API Gateway REST `responseTransferMode: STREAM`),
 * sends status and headers first, then pipes the body as it is written.
 */
export function createStreamingApiHandler(
  route: (request: ApiRequest) => Promise<Omit<ApiResponse, 'body'> & { body: string | Readable }>,
) {
  const options = proxyEventOptions();
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>({ streamifyResponse: true })
    .use(apiErrors())
    .handler(async (event) => {
      const response = await route(fromProxyEvent(event, options));
      return { statusCode: response.status, headers: response.headers, body: response.body as string };
    });
}
