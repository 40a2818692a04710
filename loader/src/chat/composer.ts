import type { Texts } from '../contract';
import { attrs, el, icon } from '../dom';

const SEND_ICON = 'M3 20.5 21 12 3 3.5V10l12 2-12 2z';
/** Matches the API's limit, so the widget never sends a `bad_request` or `payload_too_large`. */
export const MAX_TEXT = 4000;

/** The message box and send button; Enter sends, Shift+Enter (or an IME composing) does not. */
export function createComposer(placeholder: string, texts: Texts, send: (text: string) => void) {
  const form = el('form', 'f');
  const input = attrs(el('textarea'), {
    'aria-label': texts.message,
    placeholder,
    rows: '1',
    maxlength: String(MAX_TEXT),
    enterkeyhint: 'send',
  });
  const sendButton = attrs(el('button', 's'), { type: 'submit', 'aria-label': texts.send });
  sendButton.append(icon(SEND_ICON));
  form.append(input, sendButton);
  form.onsubmit = (event) => {
    event.preventDefault();
    send(input.value);
  };
  input.onkeydown = (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send(input.value);
    }
  };
  return {
    form,
    input,
    /** While busy (a turn or the history on its way) nothing is sent; typing goes on. */
    get busy() {
      return sendButton.disabled;
    },
    set busy(value: boolean) {
      sendButton.disabled = value;
    },
  };
}

export type Composer = ReturnType<typeof createComposer>;
