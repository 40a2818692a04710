/** Stable error codes of DESIGN.md's error table, with their HTTP status. */
export const ERROR_STATUS = {
  widget_not_found: 404,
  widget_disabled: 404,
  key_rotated: 404,
  bot_not_ready: 503,
  widget_origin_denied: 403,
  session_invalid: 401,
  session_expired: 401,
  widget_rate_limit: 429,
  widget_daily_cap_exceeded: 429,
  visitor_daily_cap_exceeded: 429,
  budget_exhausted: 503,
  session_busy: 409,
  session_rate_limit: 429,
  identity_required: 401,
  identity_invalid: 401,
  bad_request: 400,
  payload_too_large: 413,
  not_found: 404,
  method_not_allowed: 405,
  upstream_error: 502,
  internal_error: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

const DEFAULT_MESSAGES: Record<ErrorCode, string> = {
  widget_not_found: 'This widget link is invalid or has been disabled.',
  widget_disabled: 'This widget link is invalid or has been disabled.',
  key_rotated: 'This widget link is invalid or has been disabled.',
  bot_not_ready: 'This bot is not ready for chat yet.',
  widget_origin_denied: 'This website is not authorized to use this widget.',
  session_invalid: 'The chat session is invalid.',
  session_expired: 'The chat session has expired.',
  widget_rate_limit: "You're sending messages too quickly. Please wait a moment.",
  widget_daily_cap_exceeded: 'Failed to send message. Please try again.',
  visitor_daily_cap_exceeded: 'Failed to send message. Please try again.',
  budget_exhausted: 'Failed to send message. Please try again.',
  session_busy: 'Please wait for the answer.',
  session_rate_limit: 'Failed to start chat. Please try again.',
  identity_required: 'Please sign in to chat.',
  identity_invalid: 'Please sign in to chat.',
  bad_request: 'The request is malformed.',
  payload_too_large: 'The request body is too large.',
  not_found: 'No such route.',
  method_not_allowed: 'Method not allowed on this route.',
  upstream_error: 'Failed to send message. Please try again.',
  internal_error: 'Failed to start chat. Please try again.',
};

export interface PerchErrorOptions {
  message?: string;
  cause?: unknown;
  /** Extra response headers, e.g. Retry-After. */
  headers?: Record<string, string>;
  /** The widget a refusal concerns, when known: the edge counts the refusal on it. */
  widgetId?: string;
}

/**
 * The one error type of the runtime: a stable code, its status, a message safe to show a
 * visitor, and the lower error kept as `cause` for the logs.
 */
export class PerchError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly widgetId: string | undefined;

  constructor(code: ErrorCode, { message, cause, headers = {}, widgetId }: PerchErrorOptions = {}) {
    super(message ?? DEFAULT_MESSAGES[code], { cause });
    this.name = 'PerchError';
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.headers = headers;
    this.widgetId = widgetId;
  }
}

/** The same refusal, named as concerning `widgetId` (so the edge counts it on that widget). */
export function concerning(error: unknown, widgetId: string): unknown {
  if (!(error instanceof PerchError) || error.widgetId) return error;
  const { code, message, cause, headers } = error;
  return new PerchError(code, { message, cause, headers, widgetId });
}

/** The JSON body of every refusal: `{ error: { code, message } }`. */
export function errorBody(code: ErrorCode, message: string): string {
  return JSON.stringify({ error: { code, message } });
}
