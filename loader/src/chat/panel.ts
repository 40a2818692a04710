import { Refusal } from '../api';
import type { ChatContext, ChatPanel } from '../contract';
import { attrs, CLOSE_ICON, el, icon, sheet } from '../dom';
import { FAILED_TO_SEND, sendFailureText, startFailureText } from '../visitor-texts';
import CHAT_CSS from './chat.css';
import { createConversation, type HistoryItem } from './conversation';
import { renderMarkdown } from './markdown';

const SEND_ICON = 'M3 20.5 21 12 3 3.5V10l12 2-12 2z';
const THUMB_ICON = 'M2 10h4v11H2zm6 11h9.5a2 2 0 0 0 1.9-1.4l2.4-7.2A2 2 0 0 0 20 10h-5.5l.9-4.4a1.6 1.6 0 0 0-2.9-1.2L8 10z';
/** Matches the API's limit, so the widget never sends a `bad_request` or `payload_too_large`. */
const MAX_TEXT = 4000;

const codeOf = (error: unknown) => (error instanceof Refusal ? error.code : '');

/**
 * The chat panel (`chat.<hash>.js`): a labelled dialog with the greeting, quick actions, a
 * streamed answer per visitor turn, thumbs up/down, and the visitor texts of every refusal.
 */
export function mountChat(context: ChatContext): ChatPanel {
  const { root, frame, appearance, emit } = context;
  root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet(CHAT_CSS)];
  const conversation = createConversation(context);

  const panel = attrs(el('div', 'p'), { role: 'dialog', 'aria-labelledby': 'perch-title' });
  panel.hidden = true;
  const header = el('div', 'h');
  const closeButton = attrs(el('button', 'x'), { type: 'button', 'aria-label': 'Close chat' });
  closeButton.append(icon(CLOSE_ICON));
  closeButton.onclick = context.requestClose;
  header.append(attrs(el('h2', '', appearance.name), { id: 'perch-title' }), closeButton);

  const log = attrs(el('div', 'g'), { role: 'region', 'aria-label': 'Conversation', tabindex: '0' });
  // Streaming into a live region would read every fragment aloud; complete answers go here.
  const announcer = attrs(el('div', 'q'), { 'aria-live': 'polite' });

  const chips = el('div', 'c');
  for (const question of appearance.quickActions) {
    const chip = attrs(el('button', '', question), { type: 'button' });
    chip.onclick = () => void send(question);
    chips.append(chip);
  }

  const form = el('form', 'f');
  const input = attrs(el('textarea'), {
    'aria-label': 'Message',
    placeholder: appearance.placeholder,
    rows: '1',
    maxlength: String(MAX_TEXT),
    enterkeyhint: 'send',
  });
  const sendButton = attrs(el('button', 's'), { type: 'submit', 'aria-label': 'Send' });
  sendButton.append(icon(SEND_ICON));
  form.append(input, sendButton);
  form.onsubmit = (event) => {
    event.preventDefault();
    void send(input.value);
  };
  input.onkeydown = (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      void send(input.value);
    }
  };

  panel.append(header, log, chips, form, announcer);
  frame.append(panel);

  const scrollToEnd = () => {
    log.scrollTop = log.scrollHeight;
  };
  const announce = (text: string) => {
    announcer.textContent = text;
  };
  const showError = (text: string) => {
    log.append(el('p', 'e', text));
    announce(text);
    scrollToEnd();
  };

  function addAnswer(messageId?: string, text = '') {
    const bubble = el('div', 'm a');
    const body = bubble.appendChild(el('div', 'd'));
    let pending: string | undefined;
    const render = (value: string) => {
      const pinned = log.scrollHeight - log.scrollTop - log.clientHeight < 48;
      body.replaceChildren(renderMarkdown(value));
      if (pinned) scrollToEnd();
    };
    log.append(bubble);
    render(text);
    if (messageId && appearance.feedback) addRating(bubble, messageId);
    return {
      /** Streaming: renders at most once per frame. */
      update(value: string) {
        if (pending === undefined) {
          requestAnimationFrame(() => {
            if (pending !== undefined) render(pending);
            pending = undefined;
          });
        }
        pending = value;
      },
      finish(value: string, id: string) {
        pending = undefined;
        render(value);
        if (appearance.feedback) addRating(bubble, id);
      },
    };
  }

  function addRating(bubble: HTMLElement, messageId: string): void {
    const group = attrs(el('div', 'r'), { role: 'group', 'aria-label': 'Rate this answer' });
    const buttons = (['up', 'down'] as const).map((rating) => {
      const button = attrs(el('button'), { type: 'button', 'aria-label': rating === 'up' ? 'Helpful' : 'Not helpful', 'aria-pressed': 'false' });
      button.append(icon(THUMB_ICON));
      button.onclick = () => {
        const before = buttons.map((b) => b.getAttribute('aria-pressed')!);
        buttons.forEach((b) => b.setAttribute('aria-pressed', String(b === button)));
        conversation.rate(messageId, rating).catch(() => {
          buttons.forEach((b, i) => b.setAttribute('aria-pressed', before[i]!));
          announce(FAILED_TO_SEND);
        });
      };
      return button;
    });
    group.append(...buttons);
    bubble.append(group);
  }

  const addVisitorText = (text: string) => log.append(el('div', 'm v', text));
  const showTyping = () => {
    const dots = log.appendChild(attrs(el('div', 'm a t'), { 'aria-hidden': 'true' }));
    dots.append(el('i'), el('i'), el('i'));
    scrollToEnd();
    return dots;
  };

  function showHistory(history: HistoryItem[]): void {
    for (const item of history) {
      if (item.role === 'visitor') addVisitorText(item.text);
      else addAnswer(item.id, item.text);
    }
    if (history.length) chips.hidden = true;
    scrollToEnd();
  }

  let busy = false;
  const setBusy = (value: boolean) => {
    busy = sendButton.disabled = value;
  };
  async function send(raw: string): Promise<void> {
    const text = raw.trim();
    if (!text || text.length > MAX_TEXT || busy) return;
    setBusy(true);
    input.value = '';
    chips.hidden = true;
    addVisitorText(text);
    emit('message', { role: 'visitor', text });
    const typing = showTyping();
    let answer: ReturnType<typeof addAnswer> | undefined;
    try {
      const reply = await conversation.send(text, (soFar) => {
        typing.remove();
        (answer ||= addAnswer()).update(soFar);
      });
      typing.remove();
      (answer ||= addAnswer()).finish(reply.text, reply.messageId);
      announce(reply.text);
      emit('message', { role: 'assistant', text: reply.text, messageId: reply.messageId });
    } catch (error) {
      typing.remove();
      showError(sendFailureText(codeOf(error)));
      if (!input.value) input.value = text; // ready to send again
    } finally {
      setBusy(false);
    }
  }

  log.append(el('div', 'm a', appearance.greeting));
  let resumed = false;

  return {
    open() {
      panel.hidden = false;
      input.focus();
      if (resumed) return;
      resumed = true;
      setBusy(true); // the history goes above anything typed now
      conversation
        .resume()
        .then(showHistory, (error: unknown) => showError(startFailureText(codeOf(error))))
        .finally(() => setBusy(false));
    },
    close() {
      panel.hidden = true;
    },
  };
}
