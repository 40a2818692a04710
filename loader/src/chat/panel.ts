import { failureText } from '../api';
import type { ChatContext, ChatPanel } from '../contract';
import { el, sheet } from '../dom';
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
 * streamed answer per visitor turn, thumbs up/down, and every refusal's text as the server worded
 * it, in the widget's language (as are all the panel's labels: `appearance.texts`).
 * The builders draw the pieces; this wires them to the conversation.
 */
export function mountChat(context: ChatContext): ChatPanel {
  const { root, frame, appearance, emit } = context;
  const { texts } = appearance;
  root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet(CHAT_CSS + SOURCES_CSS)];
  const conversation = createConversation(context);
  const transcript = createTranscript(texts.conversation);

  const rate = (message: HTMLElement, messageId: string) => {
    if (!appearance.feedback) return;
    const failed = () => transcript.announce(texts.sendFailed);
    message.append(ratingGroup((rating) => conversation.rate(messageId, rating), failed, texts));
  };
  const newAnswer = (text?: string, messageId?: string, sources?: Source[]) =>
    addAnswer(transcript, rate, texts.sources, text, messageId, sources);

  // The quick actions and the composer send through `turns`, which needs them both: bound late.
  const send = (text: string) => void turns(text);
  const chips = quickActions(appearance.quickActions, send);
  const composer = createComposer(appearance.placeholder, texts, send);
  const turns = visitorTurns({ conversation, transcript, composer, chips, emit, texts, newAnswer });

  const panel = createDialog(appearance.name, texts.closeChat, context.requestClose);
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
        .then(showHistory, (error: unknown) => transcript.showError(failureText(error, texts.startFailed)))
        .finally(() => {
          composer.busy = false;
        });
    },
    close() {
      panel.hidden = true;
    },
  };
}
