import { failureText, type Refusal } from './api';
import { bodyReady, drawBubble, focusBubble, frame, notify, root, showOpen } from './bubble';
import { classicScript, panelLoader } from './chat-script';
import { type Appearance, type ChatPanel, REFUSAL_EVENT } from './contract';
import { emit, installPerch, isInstalled, on, type PerchGlobal } from './perch-global';
import { readScriptSettings } from './script-settings';
import { fetchAppearance } from './widget-config';

/** `chat.<hash>.js`, set by the build (loader/build.ts). */
declare const __PERCH_CHAT_FILE__: string;

/** The one text the loader has of its own: for when nothing answered (every other comes from the server). */
const FAILED_TO_START = 'Failed to start chat. Please try again.';

/**
 * The loader: reads its tag, fetches the widget's appearance and draws only the bubble, inside
 * a Shadow DOM. The chat panel (`chat.<hash>.js`) is loaded on first open, or earlier when
 * the pointer or focus reaches the bubble. This function holds the open state; the pieces draw.
 */
function startLoader(script: HTMLScriptElement | null, global: PerchGlobal): void {
  if (isInstalled(global)) {
    console.warn('Perch: loaded twice');
    return;
  }
  const settings = script && readScriptSettings(script, __PERCH_CHAT_FILE__);
  if (!settings) {
    console.error('Perch: data-perch-key missing');
    return;
  }

  let isOpen = false;
  let appearance: Appearance | undefined;
  let refusal: string | undefined;
  let panel: ChatPanel | undefined;

  const loadPanel = panelLoader(
    settings.chatUrl,
    (mountChat) =>
      // The settings object itself, not a copy: `Perch.identify` reaches a mounted panel's next session start.
      (panel = mountChat(
        Object.assign(settings, { root: root!, frame, appearance: appearance!, requestClose: close, emit }),
      )),
  );

  const sync = () => {
    if (!root) return; // drawing calls sync again
    showOpen(isOpen);
    if (!isOpen) {
      notify();
      panel?.close();
    } else if (refusal) notify(refusal);
    else
      loadPanel().then(
        (opened) => isOpen && opened.open(),
        () => isOpen && notify(appearance!.texts.startFailed),
      );
  };

  function setOpen(next: boolean): void {
    if (next === isOpen) return;
    const focusInside = root?.activeElement;
    isOpen = next;
    sync();
    if (!next && focusInside) focusBubble();
    emit(next ? 'open' : 'close');
  }
  const toggle = () => setOpen(!isOpen);
  const close = () => setOpen(false);
  // Pointer or focus on the bubble: the visitor may open it next (a refused widget loads nothing).
  // Mounting the panel touches no storage and starts no session: both wait for `open` (consent-first).
  const preload = () => void (refusal || loadPanel().catch(() => undefined));

  fetchAppearance(settings)
    .then(
      (fetched) => void (appearance = fetched),
      // No answer to read may be a refused origin (no CORS grant): its text comes as a script, in the
      // widget's language.
      (error: Refusal) =>
        error.code === 'network'
          ? classicScript<string>(
              `${settings.api}/v1/widgets/${encodeURIComponent(settings.key)}.js`,
              REFUSAL_EVENT,
            ).catch(() => FAILED_TO_START)
          : failureText(error, FAILED_TO_START),
    )
    .then((text) => void (refusal = text))
    .then(bodyReady)
    .then(() => {
      drawBubble(appearance, settings, toggle, close, preload);
      sync();
    });

  const identify = (token?: string) => void (settings.identity = token);
  installPerch(global, { open: () => setOpen(true), close, toggle, on, identify });
}

startLoader(document.currentScript as HTMLScriptElement | null, window as unknown as PerchGlobal);
