import { ENGLISH } from '../texts/catalogues';
import type { TextKey, Texts, WidgetLanguage } from '../texts/language';

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

/**
 * Each code's message: the name of its visitor text (DESIGN.md's error table; functions/texts
 * has it in every language), or, for a code the widget prevents or never meets, a note for the
 * developer reading the response, in English.
 */
const MESSAGES: Record<ErrorCode, TextKey | { developer: string }> = {
  widget_not_found: 'widgetInvalid',
  widget_disabled: 'widgetInvalid',
  key_rotated: 'widgetInvalid',
  bot_not_ready: 'botNotReady',
  widget_origin_denied: 'originDenied',
  session_invalid: 'sessionInvalid',
  session_expired: 'sessionExpired',
  widget_rate_limit: 'tooFast',
  widget_daily_cap_exceeded: 'sendFailed',
  visitor_daily_cap_exceeded: 'sendFailed',
  budget_exhausted: 'sendFailed',
  session_busy: 'answerPending',
  session_rate_limit: 'startFailed',
  identity_required: 'signIn',
  identity_invalid: 'signIn',
  bad_request: { developer: 'The request is malformed.' },
  payload_too_large: { developer: 'The request body is too large.' },
  not_found: { developer: 'No such route.' },
  method_not_allowed: { developer: 'Method not allowed on this route.' },
  upstream_error: 'sendFailed',
  internal_error: 'startFailed',
};

const defaultMessage = (code: ErrorCode): string => {
  const message = MESSAGES[code];
  return typeof message === 'string' ? ENGLISH[message] : message.developer;
};

export interface PerchErrorOptions {
  message?: string;
  cause?: unknown;
  /** Extra response headers, e.g. Retry-After. */
  headers?: Record<string, string>;
  /** The widget a refusal concerns, when known: the edge counts the refusal on it. */
  widgetId?: string;
  /** That widget's language, when known: the edge answers in it. */
  language?: WidgetLanguage;
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
  readonly language: WidgetLanguage | undefined;

  constructor(code: ErrorCode, { message, cause, headers = {}, widgetId, language }: PerchErrorOptions = {}) {
    super(message ?? defaultMessage(code), { cause });
    this.name = 'PerchError';
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.headers = headers;
    this.widgetId = widgetId;
    this.language = language && { locale: language.locale, texts: language.texts };
  }

  /**
   * The message in `texts`' language. A message is its code's English visitor text, perhaps
   * followed by a detail (a 500 names its request id): the text is replaced, the detail kept;
   * any other message (a developer's note, a field problem) stays as it is.
   */
  messageIn(texts: Texts): string {
    const key = MESSAGES[this.code];
    if (typeof key !== 'string' || !this.message.startsWith(ENGLISH[key])) return this.message;
    return texts[key] + this.message.slice(ENGLISH[key].length);
  }
}

/** The same refusal, named as concerning `widgetId` (so the edge counts it on that widget). */
export function concerning(error: unknown, widgetId: string): unknown {
  if (!(error instanceof PerchError) || error.widgetId) return error;
  const { code, message, cause, headers, language } = error;
  return new PerchError(code, { message, cause, headers, widgetId, language });
}

/** The JSON body of every refusal: `{ error: { code, message } }`. */
export function errorBody(code: ErrorCode, message: string): string {
  return JSON.stringify({ error: { code, message } });
}
