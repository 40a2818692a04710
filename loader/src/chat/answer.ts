import { el } from '../dom';
import { renderMarkdown } from './markdown';
import { type Source, sourcesList } from './sources';
import type { Transcript } from './transcript';

export interface Answer {
  /** Streaming: renders at most once per frame. */
  update(soFar: string): void;
  finish(text: string, messageId: string, sources?: Source[]): void;
}

/**
 * One assistant message in the transcript, rendered as safe markdown, with its sources listed
 * under it once complete. `complete` runs once the message has an id (at once for one from the
 * history): that is where its rating goes.
 */
export function addAnswer(
  transcript: Transcript,
  complete: (message: HTMLElement, messageId: string) => void,
  sourcesHeading: string,
  text = '',
  messageId?: string,
  sources: Source[] = [],
): Answer {
  const message = el('div', 'm a');
  const body = message.appendChild(el('div', 'd'));
  const render = (value: string) => transcript.rewrite(body, renderMarkdown(value));
  const end = (id: string, list: Source[]) => {
    if (list.length) message.append(sourcesList(sourcesHeading, list));
    complete(message, id);
  };
  let pending: string | undefined;
  transcript.log.append(message);
  render(text);
  if (messageId) end(messageId, sources);
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
    finish(value, id, list = []) {
      pending = undefined;
      render(value);
      end(id, list);
    },
  };
}
