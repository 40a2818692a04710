import { CHAT_READY_EVENT, type ChatPanel, type MountChat } from './contract';
import { el } from './dom';

/**
 * Loads `chat.<hash>.js` and mounts its panel once, however often it is asked for; a failed
 * load is forgotten, so the next open tries again.
 */
export function panelLoader(url: string, mount: (mountChat: MountChat) => ChatPanel): () => Promise<ChatPanel> {
  let loading: Promise<ChatPanel> | undefined;
  return () =>
    (loading ||= new Promise<MountChat>((resolve, reject) => {
      const script = el('script');
      script.src = url;
      script.addEventListener(CHAT_READY_EVENT, (event) => resolve((event as CustomEvent<MountChat>).detail));
      script.onerror = script.onload = reject; // load fires after the script ran: no event means a wrong file
      document.head.append(script);
    }).then(mount, (error: unknown) => {
      loading = undefined;
      throw error;
    }));
}
