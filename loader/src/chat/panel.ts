import { codeOf } from '../api';
import type { ChatContext, ChatPanel } from '../contract';
import { el, sheet } from '../dom';
import { FAILED_TO_SEND, startFailureText } from '../visitor-texts';
import { addAnswer } from './answer';
import CHAT_CSS from './chat.css';
import { createComposer } from './composer';
import { createConversation, type HistoryItem } from './conversation';
import { createDialog } from './dialog';
import { quickActions } from './quick-actions';
import { ratingGroup } from './rating';
import type { Source } from './sources';
import SOURCES_CSS from './sources.css';
import { createTranscript } from './transcript';
import { visitorTurns } from './visitor-turn';

/**
 * The chat panel (`chat.<hash>.js`): a labelled dialog with the greeting, quick actions, a
 * streamed answer per visitor turn, thumbs up/down, and the visitor texts of every refusal.
 * The builders draw the pieces; this wires them to the conversation.
 */
export function mountChat(context: ChatContext): ChatPanel {
  const { root, frame, appearance, emit } = context;
  root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet(CHAT_CSS + SOURCES_CSS)];
  const conversation = createConversation(context);
  const transcript = createTranscript();

  const rate = (message: HTMLElement, messageId: string) => {
    if (!appearance.feedback) return;
    const failed = () => transcript.announce(FAILED_TO_SEND);
    message.append(ratingGroup((rating) => conversation.rate(messageId, rating), failed));
  };
  const newAnswer = (text?: string, messageId?: string, sources?: Source[]) =>
    addAnswer(transcript, rate, text, messageId, sources);

  // The quick actions and the composer send through `turns`, which needs them both: bound late.
  const send = (text: string) => void turns(text);
  const chips = quickActions(appearance.quickActions, send);
  const composer = createComposer(appearance.placeholder, send);
  const turns = visitorTurns({ conversation, transcript, composer, chips, emit, newAnswer });

  const panel = createDialog(appearance.name, context.requestClose);
  panel.append(transcript.log, chips, composer.form, transcript.announcer);
  frame.append(panel);
  transcript.log.append(el('div', 'm a', context.greeting || appearance.greeting));

  const showHistory = (history: HistoryItem[]) => {
    for (const item of history) {
      if (item.role === 'visitor') transcript.addVisitorText(item.text);
      else newAnswer(item.text, item.id, item.sources);
    }
    if (history.length) chips.hidden = true;
    transcript.scrollToEnd();
  };

  let resumed = false;
  return {
    open() {
      panel.hidden = false;
      composer.input.focus();
      if (resumed) return;
      resumed = true;
      composer.busy = true; // the history goes above anything typed now
      conversation
        .resume()
        .then(showHistory, (error: unknown) => transcript.showError(startFailureText(codeOf(error))))
        .finally(() => {
          composer.busy = false;
        });
    },
    close() {
      panel.hidden = true;
    },
  };
}
