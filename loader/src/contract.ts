/** Types and the one event name shared by the loader and the chat panel it loads. */
import type { WidgetAppearance } from '../../functions/widgets/appearance';
import type { ScriptSettings } from './script-settings';

/** `GET /v1/widgets/{key}` (the server's own type: one wire contract), as the server sent it. */
export type Appearance = WidgetAppearance;
/** Every string the panel shows, in the widget's language. */
export type Texts = Appearance['texts'];

export type PerchEvent = 'open' | 'close' | 'message';

/** The detail of a `message` event: a visitor text as sent, or an answer once complete. */
export interface MessageDetail {
  role: 'visitor' | 'assistant';
  text: string;
  messageId?: string;
}

/**
 * What the loader hands to `chat.js`'s default export: the tag's settings (the API base, the
 * key, its `data-greeting`, which wins over the config's) and what the loader drew.
 */
export interface ChatContext extends ScriptSettings {
  root: ShadowRoot;
  /** Where the panel goes (inside the shadow root, beside the bubble). */
  frame: HTMLElement;
  appearance: Appearance;
  /** Asks the loader to close (Esc, the close button): it updates the bubble and moves focus. */
  requestClose(): void;
  emit(event: 'message', detail: MessageDetail): void;
}

export interface ChatPanel {
  open(): void;
  close(): void;
}

export type MountChat = (context: ChatContext) => ChatPanel;

/**
 * `chat.js` is a classic script that dispatches this event, with its {@link MountChat} as
 * `detail`, on its own `<script>` element: no global, and no CORS needed on the CDN (a module
 * `import()` would need one).
 */
export const CHAT_READY_EVENT = 'perch-chat';

/**
 * `GET /v1/widgets/{key}.js` (functions/widgets/refusal-script.ts) is a classic script that
 * dispatches this event, with the origin refusal's text in the widget's language as `detail`,
 * on its own `<script>` element: the refusal itself is unreadable to a refused page (no CORS grant).
 */
export const REFUSAL_EVENT = 'perch-refusal';
