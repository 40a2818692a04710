import type { Readable } from 'node:stream';
import { PerchError } from '../errors/perch-error';
import { createLogger, type Logger } from '../logging/logger';
import { readableOrigin } from '../origins/origin';
import { ROUTES, type RouteName } from '../routes';
import { type Texts, visitorLanguage, type WidgetLanguage } from '../texts/language';
import type { ApiRequest } from './request';
import { type ApiResponse, corsHeaders, errorResponse } from './response';

const defaultLogger = createLogger();

/** A response whose body may be a stream (SSE). */
export type StreamingApiResponse = Omit<ApiResponse, 'body'> & { body: string | Readable };

/**
 * How a route finds the widget whose `allowedOrigins` decide the request (key in the path, key
 * in the body, the session): `admit` checks the request up to and including its origin, and
 * `preflight` checks what an `OPTIONS` request can show (it carries no body and no token).
 */
export interface WidgetAdmission<Admitted> {
  preflight(request: ApiRequest): Promise<void>;
  admit(request: ApiRequest): Promise<Admitted & { widgetId: string; widget: WidgetLanguage }>;
}

export interface EdgeContext {
  /** Counts a refusal the route answers itself after its head went out (an SSE `error` event). */
  refused(error: PerchError): Promise<void>;
}

export type RouteHandler<Admitted, Response extends StreamingApiResponse> = (
  admitted: Admitted,
  request: ApiRequest,
  edge: EdgeContext,
) => Promise<Response>;

export interface EdgeOptions {
  /** Where refusals are counted by code; a route without it counts none. */
  counters?: { refused(widgetId: string, code: string, now: number): Promise<void> };
  now?: () => number;
  logger?: Pick<Logger, 'error'>;
}

/**
 * The HTTP edge of one route, the only code that knows about CORS (Hono's `cors()` is the
 * model): answers `OPTIONS` and 405 from `functions/routes.ts`, admits the widget once, grants
 * `Access-Control-Allow-Origin` on every answer (success, refusal, 500) except an origin
 * refusal, counts each refusal that names a widget by its code, and words each refusal in the
 * language of its widget (DESIGN.md § Languages), or of the visitor's browser when none is known.
 *
 * Every admission checks the origin before it says anything about a widget, so an answer that
 * is not an origin refusal may be read by the requesting origin: a well-formed one.
 */
export function createEdgeRoute<Admitted, Response extends StreamingApiResponse = ApiResponse>(
  name: RouteName,
  admission: WidgetAdmission<Admitted>,
  handle: RouteHandler<Admitted, Response>,
  { counters, now = Date.now, logger = defaultLogger }: EdgeOptions = {},
): (request: ApiRequest) => Promise<Response | ApiResponse> {
  const route = ROUTES.find((r) => r.name === name);
  if (!route) throw new Error(`no route named ${name} in functions/routes.ts`);
  const allow = route.methods.join(', ');
  const count = async (widgetId: string | undefined, error: PerchError) => {
    if (!counters || !widgetId || error.code === 'internal_error') return;
    await counters.refused(widgetId, error.code, now()).catch((cause: unknown) => {
      logger.error('refusal not counted', { widgetId, code: error.code, error: describeError(cause) });
    });
  };

  return async (request) => {
    const origin = readableOrigin(request.headers.origin);
    let widgetId: string | undefined;
    let widget: WidgetLanguage | undefined;
    try {
      if (!route.methods.includes(request.method)) {
        throw new PerchError('method_not_allowed', { headers: { Allow: allow } });
      }
      if (request.method === 'OPTIONS') {
        if (!origin) throw new PerchError('widget_origin_denied');
        await admission.preflight(request);
        return { status: 204, headers: corsHeaders(origin, { methods: allow }), body: '' };
      }
      const admitted = await admission.admit(request);
      widgetId = admitted.widgetId;
      widget = admitted.widget;
      const response = await handle(admitted, request, { refused: (error) => count(widgetId, error) });
      const cors = corsHeaders(origin, { vary: response.headers.Vary });
      return { ...response, headers: { ...response.headers, ...cors } };
    } catch (error) {
      const known = asPerchError(error, request.requestId);
      if (known.status >= 500) {
        logger.error('request failed', { requestId: request.requestId, widgetId, error: describeError(error) });
      }
      await count(known.widgetId ?? widgetId, known);
      const { texts } = visitorLanguage(known.language ?? widget, request.headers['accept-language']);
      return refusalResponse(known, origin, texts);
    }
  };
}

/** The answer to a refusal, worded in `texts`: readable by the (well-formed) origin, except an origin refusal. */
export function refusalResponse(error: PerchError, origin: string | undefined, texts: Texts): ApiResponse {
  return errorResponse(error, error.code === 'widget_origin_denied' ? undefined : origin, error.messageIn(texts));
}

/** A PerchError as it is, anything else as a generic 500 naming the request id, never a stack trace. */
export function asPerchError(error: unknown, requestId: string): PerchError {
  if (error instanceof PerchError) return error;
  return new PerchError('internal_error', {
    message: `Failed to start chat. Please try again. (request ${requestId || 'unknown'})`,
    cause: error,
  });
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
