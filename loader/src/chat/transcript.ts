import { attrs, el } from '../dom';

/**
 * The conversation log and the live region beside it. Streaming into a live region would read
 * every fragment aloud, so only complete answers and errors are announced.
 */
export function createTranscript(label: string) {
  const log = attrs(el('div', 'g'), { role: 'region', 'aria-label': label, tabindex: '0' });
  const announcer = attrs(el('div', 'q'), { 'aria-live': 'polite' });
  const scrollToEnd = () => {
    log.scrollTop = log.scrollHeight;
  };
  const announce = (text: string) => {
    announcer.textContent = text;
  };
  return {
    log,
    announcer,
    scrollToEnd,
    announce,
    /** Replaces `message`'s content, keeping the end in view if the visitor was reading there. */
    rewrite(message: HTMLElement, content: Node) {
      const pinned = log.scrollHeight - log.scrollTop - log.clientHeight < 48;
      message.replaceChildren(content);
      if (pinned) scrollToEnd();
    },
    addVisitorText: (text: string) => log.append(el('div', 'm v', text)),
    showError(text: string) {
      log.append(el('p', 'e', text));
      announce(text);
      scrollToEnd();
    },
    /** Three dots until the first words of an answer arrive; the caller removes them. */
    showTyping(): HTMLElement {
      const dots = log.appendChild(attrs(el('div', 'm a t'), { 'aria-hidden': 'true' }));
      dots.append(el('i'), el('i'), el('i'));
      scrollToEnd();
      return dots;
    },
  };
}

export type Transcript = ReturnType<typeof createTranscript>;
