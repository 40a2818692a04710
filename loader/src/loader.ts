import { callApi, Refusal } from './api';
import { CHAT_READY_EVENT, type Appearance, type ChatPanel, type MountChat, type PerchEvent } from './contract';
import { attrs, CLOSE_ICON, el, icon, sheet } from './dom';
import LOADER_CSS from './loader.css';
import { readScriptSettings, type ScriptSettings } from './script-settings';
import { themeCss } from './theme';
import { FAILED_TO_START, startFailureText } from './visitor-texts';

/** `chat.<hash>.js`, set by the build (loader/build.ts). */
declare const __PERCH_CHAT_FILE__: string;

const CHAT_ICON = 'M4 3h16a1 1 0 0 1 1 1v12a1 1 0 0 1-1 1H9l-5 4v-4a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1z';

type Listener = (detail?: unknown) => void;
type Command = [name: string, ...args: unknown[]];
type PerchApi = Record<'open' | 'close' | 'toggle', () => void> & {
  on(event: PerchEvent, fn: Listener): () => void;
  /** The command queue: runs at once now that the loader is here. */
  q: { push(...commands: Command[]): void };
};
type PerchGlobal = { Perch?: Partial<PerchApi> | { q?: Command[] } };

/**
 * The loader: reads its tag, fetches the widget's appearance and draws only the bubble, inside
 * a Shadow DOM. The chat panel (`chat.<hash>.js`) is loaded on first open, or earlier when
 * the pointer or focus reaches the bubble.
 */
function startLoader(script: HTMLScriptElement | null, global: PerchGlobal): void {
  if (global.Perch && 'toggle' in global.Perch) return console.warn('Perch: loaded twice');
  const settings = script && readScriptSettings(script, __PERCH_CHAT_FILE__);
  if (!settings) return console.error('Perch: data-perch-key missing');

  const listeners: Record<PerchEvent, Set<Listener>> = { open: new Set(), close: new Set(), message: new Set() };
  const emit = (event: PerchEvent, detail?: unknown) =>
    listeners[event].forEach((fn) => {
      try {
        fn(detail);
      } catch (error) {
        console.error(error); // a host page's listener must not break the widget
      }
    });

  let isOpen = false;
  let drawn: { root: ShadowRoot; frame: HTMLElement; bubble: HTMLButtonElement; notice: HTMLElement; refusal?: string } | undefined;
  let appearance: Appearance | undefined;
  let chat: Promise<ChatPanel> | undefined;
  let panel: ChatPanel | undefined;

  const loadChat = (): Promise<ChatPanel> =>
    (chat ||= new Promise<MountChat>((resolve, reject) => {
      const script = document.createElement('script');
      script.src = settings.chatUrl;
      script.addEventListener(CHAT_READY_EVENT, (event) => resolve((event as CustomEvent<MountChat>).detail));
      script.onerror = script.onload = reject; // load fires after the script ran: no event means a wrong file
      document.head.append(script);
    }).then(
      (mountChat) =>
        (panel = mountChat({
          root: drawn!.root,
          frame: drawn!.frame,
          appearance: appearance!,
          api: settings.api,
          key: settings.key,
          requestClose: () => setOpen(false),
          emit,
        })),
      (error: unknown) => {
        chat = undefined; // let the next open try again
        throw error;
      },
    ));

  const showNotice = (text = '') => {
    drawn!.notice.textContent = text;
    drawn!.notice.hidden = !text;
  };

  const sync = () => {
    if (!drawn) return; // drawing calls sync again
    const { bubble, frame, refusal } = drawn;
    bubble.setAttribute('aria-expanded', String(isOpen));
    bubble.setAttribute('aria-label', `${isOpen ? 'Close' : 'Open'} chat${appearance ? `: ${appearance.name}` : ''}`);
    frame.classList.toggle('o', isOpen);
    if (!isOpen) {
      showNotice();
      panel?.close();
    } else if (refusal) showNotice(refusal);
    else loadChat().then((opened) => isOpen && opened.open(), () => isOpen && showNotice(FAILED_TO_START));
  };

  function setOpen(next: boolean): void {
    if (next === isOpen) return;
    const focusInside = !!drawn?.root.activeElement;
    isOpen = next;
    sync();
    if (!next && focusInside) drawn!.bubble.focus();
    emit(next ? 'open' : 'close');
  }

  const draw = (refusal?: string) => {
    const host = document.createElement('perch-widget');
    const root = host.attachShadow({ mode: 'open' });
    root.adoptedStyleSheets = [sheet(LOADER_CSS + themeCss(appearance?.theme.primary ?? ''))];
    const frame = el('div', appearance?.theme.position === 'bottom-left' ? 'w l' : 'w');
    const bubble = attrs(el('button', 'b'), { type: 'button', 'aria-haspopup': 'dialog' });
    bubble.append(icon(CHAT_ICON), icon(CLOSE_ICON));
    bubble.onclick = () => setOpen(!isOpen);
    if (!refusal) bubble.onpointerenter = bubble.onfocus = () => loadChat().catch(() => undefined);
    const notice = attrs(el('div', 'n'), { role: 'status' });
    frame.onkeydown = (event) => {
      if (event.key === 'Escape' && isOpen) {
        event.stopPropagation(); // the page's own Esc handlers (its modals) are not ours to trigger
        setOpen(false); // the focus was inside, so it goes back to the bubble
      }
    };
    frame.append(notice, bubble);
    root.append(frame);
    document.body.append(host);
    drawn = { root, frame, bubble, notice, refusal };
    sync();
  };

  const bodyReady = new Promise<void>((done) =>
    document.body ? done() : document.addEventListener('DOMContentLoaded', () => done(), { once: true }),
  );
  callApi(`${settings.api}/v1/widgets/${encodeURIComponent(settings.key)}`)
    .then((response) => response.json() as Promise<Appearance>)
    .then((fetched): undefined => {
      appearance = withOverrides(fetched, settings);
    })
    .catch((error: unknown) => startFailureText(error instanceof Refusal ? error.code : ''))
    .then((refusal) => bodyReady.then(() => draw(refusal)));

  const run = (command: Command) => {
    const [name, ...args] = Array.isArray(command) ? command : [];
    if (name === 'open' || name === 'close' || name === 'toggle' || name === 'on') (perch[name] as (...a: unknown[]) => void)(...args);
  };
  const perch: PerchApi = {
    open: () => setOpen(true),
    close: () => setOpen(false),
    toggle: () => setOpen(!isOpen),
    on(event, fn) {
      const set = Object.hasOwn(listeners, event) ? listeners[event] : undefined;
      if (typeof fn === 'function') set?.add(fn);
      return () => void set?.delete(fn);
    },
    q: { push: (...commands) => commands.forEach(run) },
  };
  // Calls the page queued before the loader ran: `window.Perch = { q: [['open'], ['on', 'message', fn]] }`.
  const queued = global.Perch?.q;
  global.Perch = perch;
  if (Array.isArray(queued)) perch.q.push(...queued);
}

/** The tag's `data-position` and `data-greeting` win over the widget's config on this page. */
function withOverrides(appearance: Appearance, settings: ScriptSettings): Appearance {
  return {
    ...appearance,
    greeting: settings.greeting ?? appearance.greeting,
    theme: { ...appearance.theme, position: settings.position ?? appearance.theme.position },
  };
}

startLoader(document.currentScript as HTMLScriptElement | null, window as unknown as PerchGlobal);
