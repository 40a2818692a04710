import { sendFailureText, startFailureText, widgetFailureText } from '../../loader/src/visitor-texts';

const INVALID = 'This widget link is invalid or has been disabled.';
const SEND = 'Failed to send message. Please try again.';
const START = 'Failed to start chat. Please try again.';

// DESIGN.md's error table, word for word.
test.each([
  ['widget_not_found', INVALID, INVALID],
  ['widget_disabled', INVALID, INVALID],
  ['key_rotated', INVALID, INVALID],
  ['bot_not_ready', 'This bot is not ready for chat yet.', 'This bot is not ready for chat yet.'],
  [
    'widget_origin_denied',
    'This website is not authorized to use this widget.',
    'This website is not authorized to use this widget.',
  ],
  ['widget_rate_limit', START, "You're sending messages too quickly. Please wait a moment."],
  ['widget_daily_cap_exceeded', START, SEND],
  ['visitor_daily_cap_exceeded', START, SEND],
  ['budget_exhausted', START, SEND],
  ['session_busy', START, 'Please wait for the answer.'],
  ['session_rate_limit', START, START],
  ['upstream_error', START, SEND],
  ['internal_error', START, SEND],
  ['network', START, SEND],
  ['http_502', START, SEND],
  ['constructor', START, SEND],
  ['__proto__', START, SEND],
  ['toString', START, SEND],
])('%s reads "%s" when starting and "%s" when sending', (code, start, send) => {
  expect(startFailureText(code)).toBe(start);
  expect(sendFailureText(code)).toBe(send);
});

// The loader carries only the texts of the config route's refusals (its size budget); the panel has them all.
test.each([
  ['widget_not_found', INVALID],
  ['widget_disabled', INVALID],
  ['key_rotated', INVALID],
  ['widget_origin_denied', 'This website is not authorized to use this widget.'],
  ['network', START],
  ['internal_error', START],
  ['constructor', START],
  ['__proto__', START],
])('loading the appearance refused with %s reads "%s"', (code, text) => {
  expect(widgetFailureText(code)).toBe(text);
});
