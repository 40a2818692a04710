import { el } from '../dom';
import { renderMarkdown } from './markdown';
import type { Transcript } from './transcript';

export interface Answer {
  /** Streaming: renders at most once per frame. */
  update(soFar: string): void;
  finish(text: string, messageId: string): void;
}

/**
 * One assistant message in the transcript, rendered as safe markdown. `complete` runs once the
 * message has an id (at once for one from the history): that is where its rating goes.
 */
export function addAnswer(
  transcript: Transcript,
  complete: (message: HTMLElement, messageId: string) => void,
  text = '',
  messageId?: string,
): Answer {
  const message = el('div', 'm a');
  const body = message.appendChild(el('div', 'd'));
  const render = (value: string) => transcript.rewrite(body, renderMarkdown(value));
  let pending: string | undefined;
  transcript.log.append(message);
  render(text);
  if (messageId) complete(message, messageId);
  return {
    update(soFar) {
      if (pending === undefined) {
        requestAnimationFrame(() => {
          if (pending !== undefined) render(pending);
          pending = undefined;
        });
      }
      pending = soFar;
    },
    finish(value, id) {
      pending = undefined;
      render(value);
      complete(message, id);
    },
  };
}
