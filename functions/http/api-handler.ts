import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { createLogger, type Logger } from '../logging/logger';
import { readableOrigin } from '../origins/origin';
import { visitorLanguage } from '../texts/language';
import { asPerchError, describeError, refusalResponse, type StreamingApiResponse } from './edge';
import { type ApiRequest, fromProxyEvent, type ProxyEventOptions } from './request';
import { type ApiResponse, toProxyResult } from './response';

type Result = Omit<APIGatewayProxyResult, 'body'> & { body: string | Readable };

/**
 * Logs one JSON line per request with its request id and status. Routes answer their own
 * refusals (the edge); whatever escapes them becomes a generic 500 naming the request id.
 */
export function apiErrors({
  logger,
}: {
  logger: Pick<Logger, 'info' | 'error'>;
}): middy.MiddlewareObj<APIGatewayProxyEvent, Result> {
  const started = new WeakMap<object, number>();
  const log = (request: middy.Request<APIGatewayProxyEvent, Result>, status: number, error?: unknown) => {
    const event = request.event;
    const line = {
      requestId: event.requestContext?.requestId,
      method: event.httpMethod,
      path: event.path,
      status,
      ms: Date.now() - (started.get(request) ?? Date.now()),
      ...(error ? { error: describeError(error) } : {}),
    };
    if (status >= 500) logger.error('request', line);
    else logger.info('request', line);
  };
  return {
    before: (request) => {
      started.set(request, Date.now());
    },
    after: (request) => {
      log(request, request.response?.statusCode ?? 0);
    },
    onError: (request) => {
      const known = asPerchError(request.error, request.event.requestContext?.requestId ?? '');
      const { headers } = fromProxyEvent(request.event);
      // Readable by the page, so the widget says "failed" and not "not authorized".
      const origin = readableOrigin(headers.origin);
      const { texts } = visitorLanguage(known.language, headers['accept-language']);
      request.response = toProxyResult(refusalResponse(known, origin, texts));
      log(request, known.status, request.error);
    },
  };
}

interface HandlerOptions extends Pick<ProxyEventOptions, 'edgeSecret'> {
  /** Set on AWS; unset on the local target, where sourceIp is the visitor's own. */
  edgeSecret?: string;
  logger?: Logger;
}

/** Wires a route (ApiRequest → ApiResponse, from `createEdgeRoute`) into a Lambda proxy handler with middy. */
export function createApiHandler(
  route: (request: ApiRequest) => Promise<ApiResponse>,
  { logger = createLogger(), ...options }: HandlerOptions = {},
) {
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(injectLambdaContext(logger))
    .use(apiErrors({ logger }) as middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult>)
    .handler(async (event) => toProxyResult(await route(fromProxyEvent(event, options))));
}

interface LambdaStreaming {
  streamifyResponse(
    handler: (event: APIGatewayProxyEvent, stream: Writable, context: Context) => Promise<void>,
  ): unknown;
  HttpResponseStream: { from(stream: Writable, prelude: { statusCode: number; headers?: unknown }): Writable };
}

/**
 * The same wiring for a route whose body may be a stream, as an `awslambda.streamifyResponse`
 * handler (API Gateway REST `responseTransferMode: STREAM`): status and headers first, then the
 * body as it is written. The route's request carries a signal that aborts when the client
 * leaves, in either reply mode (SSE or JSON), so the model call stops with it.
 */
export function createStreamingApiHandler(
  route: (request: ApiRequest) => Promise<StreamingApiResponse>,
  { logger = createLogger(), ...options }: HandlerOptions = {},
) {
  const signals = new WeakMap<APIGatewayProxyEvent, AbortSignal>();
  const buffered = middy<APIGatewayProxyEvent, Result>()
    .use(injectLambdaContext(logger))
    .use(apiErrors({ logger }))
    .handler(async (event) => {
      const response = await route(fromProxyEvent(event, { ...options, signal: signals.get(event) }));
      return { statusCode: response.status, headers: response.headers, body: response.body };
    });
  const lambda = (globalThis as unknown as { awslambda: LambdaStreaming }).awslambda;
  return lambda.streamifyResponse(async (event, responseStream, context) => {
    const gone = new AbortController();
    const leave = () => {
      if (!responseStream.writableFinished) gone.abort(new Error('client disconnected'));
    };
    if (responseStream.destroyed) leave();
    else responseStream.once('close', leave);
    signals.set(event, gone.signal);
    const { body, ...prelude } = await buffered(event, context);
    const stream = lambda.HttpResponseStream.from(responseStream, prelude);
    const source = typeof body === 'string' ? Readable.from([body]) : body;
    // A client gone mid-answer is a premature close of the pipeline: the body is destroyed with it.
    await pipeline(source, stream).catch(() => source.destroy());
  });
}
