/** What a visitor reads for each refusal code (DESIGN.md's error table), word for word. */
export const FAILED_TO_START = 'Failed to start chat. Please try again.';
export const FAILED_TO_SEND = 'Failed to send message. Please try again.';

const INVALID = 'This widget link is invalid or has been disabled.';

/** Refusals that can come before a conversation starts (the loader needs only these). */
const START_TEXTS: Record<string, string> = {
  widget_not_found: INVALID,
  widget_disabled: INVALID,
  key_rotated: INVALID,
  bot_not_ready: 'This bot is not ready for chat yet.',
  widget_origin_denied: 'This website is not authorized to use this widget.',
};

/** Refusals only a message gets (no spread of START_TEXTS: esbuild could not drop it from the loader). */
const SEND_TEXTS: Record<string, string> = {
  widget_rate_limit: "You're sending messages too quickly. Please wait a moment.",
  session_busy: 'Please wait for the answer.',
};

// Own properties only: a hostile `constructor` or `__proto__` code must not pick a text.
const own = (texts: Record<string, string>, code: string) => (Object.hasOwn(texts, code) ? texts[code] : undefined);

/** Loading the widget or starting a session failed with `code` (or with no answer at all). */
export const startFailureText = (code: string): string => own(START_TEXTS, code) ?? FAILED_TO_START;

/**
 * Sending a message failed with `code`. Daily caps, budget and upstream failures read
 * "Failed to send message", like anything unexpected.
 */
export const sendFailureText = (code: string): string => own(START_TEXTS, code) ?? own(SEND_TEXTS, code) ?? FAILED_TO_SEND;
