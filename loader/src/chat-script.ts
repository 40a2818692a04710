import { CHAT_READY_EVENT, type ChatPanel, type MountChat } from './contract';
import { el } from './dom';

/**
 * Runs the classic script at `url` and resolves with the `detail` of the `event` it dispatches
 * on its own `<script>` element: no global, no CORS, no inline code (a strict CSP allows it).
 * Rejects when it fails to load or dispatches nothing (load fires after the script ran).
 */
export const classicScript = <T>(url: string, event: string): Promise<T> =>
  new Promise((resolve, reject) => {
    const script = el('script');
    script.src = url;
    script.addEventListener(event, (dispatched) => resolve((dispatched as CustomEvent<T>).detail));
    script.onerror = script.onload = reject;
    document.head.append(script);
  });

/**
 * Loads `chat.<hash>.js` and mounts its panel once, however often it is asked for; a failed
 * load is forgotten, so the next open tries again.
 */
export function panelLoader(url: string, mount: (mountChat: MountChat) => ChatPanel): () => Promise<ChatPanel> {
  let loading: Promise<ChatPanel> | undefined;
  return () =>
    (loading ||= classicScript<MountChat>(url, CHAT_READY_EVENT).then(mount, (error: unknown) => {
      loading = undefined;
      throw error;
    }));
}
