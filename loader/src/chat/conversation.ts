import { postJson, Refusal } from '../api';
import { createSessionStore } from './session-store';
import { readSources, type Source } from './sources';
import { readServerSentEvents } from './sse';

export interface HistoryItem {
  id: string;
  role: 'visitor' | 'assistant';
  text: string;
  /** An answer's sources (checked by {@link readSources}); `[]` when it has none. */
  sources?: Source[];
}

export interface Reply {
  messageId: string;
  text: string;
  sources?: Source[];
}

export interface ConversationOptions {
  api: string;
  key: string;
  /** The signed-in visitor's identity token, read at each session start (`Perch.identify` changes it). */
  identity?: string;
}

/**
 * The visitor's side of the conversation API: a session started on the first message (or
 * resumed from storage), one turn streamed over SSE, feedback. A refused session token
 * (`session_expired`, `session_invalid`) gets one silent new session and one resend.
 */
export function createConversation(context: ConversationOptions) {
  const { api, key } = context;
  const store = createSessionStore(key);
  let starting: Promise<HistoryItem[]> | undefined;

  const startSession = (): Promise<HistoryItem[]> =>
    (starting ||= (async () => {
      const previous = store.read();
      const response = await postJson(`${api}/v1/sessions`, {
        key,
        resume: previous?.token,
        identity: context.identity,
      });
      const body = (await response.json()) as { sessionId: string; token: string; history?: HistoryItem[] };
      store.write(body);
      return (body.history ?? []).map((item) => ({ ...item, sources: readSources(item.sources) }));
    })().finally(() => {
      starting = undefined;
    }));

  const sessionUrl = (path: string) => `${api}/v1/sessions/${encodeURIComponent(store.read()!.sessionId)}/${path}`;

  async function postMessage(text: string, onText: (soFar: string) => void): Promise<Reply> {
    const response = await postJson(sessionUrl('messages'), { text }, store.read()!.token, 'text/event-stream');
    if (!response.headers.get('Content-Type')?.includes('text/event-stream') || !response.body) {
      const reply = (await response.json()) as Reply;
      onText(reply.text);
      return { ...reply, sources: readSources(reply.sources) };
    }
    let reply = '';
    let messageId: string | undefined;
    let sources: unknown;
    await readServerSentEvents(response.body, ({ event, data }) => {
      const payload = JSON.parse(data);
      if (event === 'delta') onText((reply += payload.text));
      else if (event === 'done') ({ messageId, sources } = payload);
      else if (event === 'error') throw new Refusal(String(payload.code), undefined, `${payload.message ?? ''}`);
    });
    if (messageId === undefined) throw new Refusal('upstream_error'); // the stream ended early
    return { messageId, text: reply, sources: readSources(sources) };
  }

  return {
    /**
     * The history of this browser's earlier session with the widget, or of a signed-in visitor's
     * latest one on any device; `[]` when there is none. Called on open: its first call is the
     * first storage read, and only a stored session or a signed-in visitor makes a request.
     */
    resume: (): Promise<HistoryItem[]> => (store.read() || context.identity ? startSession() : Promise.resolve([])),

    /** Sends one visitor turn; `onText` gets the answer so far as it streams. */
    async send(text: string, onText: (soFar: string) => void): Promise<Reply> {
      await starting?.catch(() => undefined);
      if (!store.read()) await startSession();
      try {
        return await postMessage(text, onText);
      } catch (error) {
        if (!(error instanceof Refusal) || error.status !== 401) throw error;
        await startSession();
        return postMessage(text, onText);
      }
    },

    rate: (messageId: string, rating: 'up' | 'down') =>
      postJson(sessionUrl('feedback'), { messageId, rating }, store.read()!.token),
  };
}

export type Conversation = ReturnType<typeof createConversation>;
