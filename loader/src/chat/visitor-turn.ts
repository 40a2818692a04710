import { failureText } from '../api';
import type { ChatContext, Texts } from '../contract';
import type { Answer } from './answer';
import { type Composer, MAX_TEXT } from './composer';
import type { Conversation } from './conversation';
import { sourcesAnnouncement } from './sources';
import type { Transcript } from './transcript';

export interface TurnParts {
  conversation: Conversation;
  transcript: Transcript;
  composer: Composer;
  chips: HTMLElement;
  emit: ChatContext['emit'];
  texts: Texts;
  newAnswer(): Answer;
}

/**
 * One visitor turn: the text goes into the transcript, typing dots until the answer streams in,
 * the answer (and the names of its sources) announced when complete. A refused turn shows its
 * visitor text and puts the text back in an empty message box, ready to send again.
 */
export function visitorTurns({ conversation, transcript, composer, chips, emit, texts, newAnswer }: TurnParts) {
  return async (raw: string): Promise<void> => {
    const text = raw.trim();
    if (!text || text.length > MAX_TEXT || composer.busy) return;
    composer.busy = true;
    composer.input.value = '';
    chips.hidden = true;
    transcript.addVisitorText(text);
    emit('message', { role: 'visitor', text });
    const typing = transcript.showTyping();
    let answer: Answer | undefined;
    try {
      const reply = await conversation.send(text, (soFar) => {
        typing.remove();
        (answer ||= newAnswer()).update(soFar);
      });
      typing.remove();
      (answer ||= newAnswer()).finish(reply.text, reply.messageId, reply.sources);
      transcript.announce(reply.text + sourcesAnnouncement(texts.sources, reply.sources));
      emit('message', { role: 'assistant', text: reply.text, messageId: reply.messageId });
    } catch (error) {
      typing.remove();
      transcript.showError(failureText(error, texts.sendFailed));
      if (!composer.input.value) composer.input.value = text;
    } finally {
      composer.busy = false;
    }
  };
}
