import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { type ErrorCode, errorBody } from '../../functions/errors/perch-error';
import { MAX_BODY_BYTES } from '../../functions/http/json-body';
import type { RouteDefinition } from '../../functions/routes';
import {
  type BufferedHandler,
  installLambdaGlobals,
  isStreamingHandler,
  LocalResponseStream,
  localContext,
} from './lambda-runtime';
import { toProxyEvent } from './proxy-event';
import { requestUrl } from './request-url';

/** Serves a non-API path (loader files, operator pages) of the request's `url`; false when it does not. */
export type LocalPathHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;

export interface LocalServerOptions {
  routes: readonly RouteDefinition[];
  /** Loads a route's handler module (`functions/handlers/<name>.ts`) and returns its `handler`. */
  loadHandler: (name: string) => Promise<unknown>;
  extraPaths?: LocalPathHandler[];
  logger?: Pick<Console, 'error'>;
}

interface CompiledRoute {
  route: RouteDefinition;
  pattern: RegExp;
  params: string[];
}

function compileRoute(route: RouteDefinition): CompiledRoute {
  const params: string[] = [];
  const source = route.resource.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{(\w+)\\?\}/g, (_, name: string) => {
    params.push(name);
    return '([^/]+)';
  });
  return { route, pattern: new RegExp(`^${source}$`), params };
}

/** A refusal from the edge itself; a body it did not read is left unread (see closeIfUnread). */
function sendJsonError(req: IncomingMessage, res: ServerResponse, status: number, code: ErrorCode, message: string) {
  closeIfUnread(req, res);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(errorBody(code, message));
}

/**
 * Node would read and discard the rest of an unread body to keep the connection alive: an
 * upload of any size would be read to its end. Closing the connection after the answer stops it.
 */
function closeIfUnread(req: IncomingMessage, res: ServerResponse): void {
  if (!req.complete) res.setHeader('Connection', 'close');
}

/**
 * Reads the body, but no more than `limit` + 1 bytes: every handler refuses a larger body (413,
 * with its own CORS grant) on its size alone, so the rest of it is left unread.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size <= limit) return;
      req.pause();
      req.off('data', onData);
      resolve(Buffer.concat(chunks).subarray(0, limit + 1));
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/**
 * The local edge: turns each HTTP request into the API Gateway proxy event AWS would send and
 * calls the same handler module, buffered or streamed (`streamifyResponse`) as on Lambda.
 */
export function createLocalServer({
  routes,
  loadHandler,
  extraPaths = [],
  logger = console,
}: LocalServerOptions): Server {
  installLambdaGlobals();
  const compiled = routes.map(compileRoute);
  const handlers = new Map<string, Promise<unknown>>();
  const handlerFor = (name: string) => {
    if (!handlers.has(name)) handlers.set(name, loadHandler(name));
    return handlers.get(name)!;
  };

  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    const url = requestUrl(req);
    if (!url) return sendJsonError(req, res, 400, 'bad_request', 'The request target is not a URL.');
    for (const extra of extraPaths) if (await extra(req, res, url)) return;
    const path = url.pathname;
    let match: { route: CompiledRoute; values: RegExpExecArray } | undefined;
    for (const route of compiled) {
      const values = route.pattern.exec(path);
      if (values) {
        match = { route, values };
        break;
      }
    }
    if (!match) return sendJsonError(req, res, 404, 'not_found', 'No such route.');
    const { route, params } = match.route;
    if (!route.methods.includes((req.method ?? '').toUpperCase())) {
      return sendJsonError(req, res, 405, 'method_not_allowed', 'Method not allowed on this route.');
    }
    const body = await readBody(req, MAX_BODY_BYTES);
    closeIfUnread(req, res);
    const pathParameters = params.length
      ? Object.fromEntries(params.map((name, i) => [name, safeDecode(match.values[i + 1]!)]))
      : null;
    const event = toProxyEvent(req, { url, resource: route.resource, pathParameters, body });
    const handler = await handlerFor(route.name);
    const context = localContext(route.name);
    if (isStreamingHandler(handler)) {
      await handler(event, new LocalResponseStream(res), context);
      return;
    }
    const result = (await (handler as BufferedHandler)(event, context)) as APIGatewayProxyResult;
    res.writeHead(result.statusCode, result.headers as Record<string, string>);
    res.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
  };

  return createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      if (res.destroyed && !res.writableFinished) return; // the client left mid-stream: not a server fault
      logger.error(`local server: ${req.method} ${req.url} failed: ${(error as Error).stack ?? String(error)}`);
      if (!res.headersSent) sendJsonError(req, res, 500, 'internal_error', 'Failed to start chat. Please try again.');
      else res.destroy();
    });
  });
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
