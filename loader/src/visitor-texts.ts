/** What a visitor reads for each refusal code (DESIGN.md's error table), word for word. */
export const FAILED_TO_START = 'Failed to start chat. Please try again.';
export const FAILED_TO_SEND = 'Failed to send message. Please try again.';

const INVALID = 'This widget link is invalid or has been disabled.';

// Maps, not objects: a hostile `constructor` or `__proto__` code finds no text on a prototype.
// Three maps, not one merged: esbuild drops the ones a bundle does not use (the loader needs only the first).
/** Refusals of `GET /v1/widgets/{key}`. */
const WIDGET_TEXTS = new Map([
  ['widget_not_found', INVALID],
  ['widget_disabled', INVALID],
  ['key_rotated', INVALID],
  ['widget_origin_denied', 'This website is not authorized to use this widget.'],
]);

/** Refusals that can also come before a conversation starts. */
const START_TEXTS = new Map([
  ['bot_not_ready', 'This bot is not ready for chat yet.'],
  ['session_rate_limit', FAILED_TO_START],
]);

/** Refusals only a message gets. */
const SEND_TEXTS = new Map([
  ['widget_rate_limit', "You're sending messages too quickly. Please wait a moment."],
  ['session_busy', 'Please wait for the answer.'],
]);

/** Loading the widget's appearance failed with `code` (or with no answer at all). */
export const widgetFailureText = (code: string): string => WIDGET_TEXTS.get(code) ?? FAILED_TO_START;

/** Starting or resuming a session failed with `code`. */
export const startFailureText = (code: string): string =>
  WIDGET_TEXTS.get(code) ?? START_TEXTS.get(code) ?? FAILED_TO_START;

/**
 * Sending a message failed with `code`. Daily caps, budget and upstream failures read
 * "Failed to send message", like anything unexpected.
 */
export const sendFailureText = (code: string): string =>
  WIDGET_TEXTS.get(code) ?? START_TEXTS.get(code) ?? SEND_TEXTS.get(code) ?? FAILED_TO_SEND;
