import { codeOf } from './api';
import { bodyReady, drawBubble, focusBubble, frame, notify, root, showOpen } from './bubble';
import { panelLoader } from './chat-script';
import type { Appearance, ChatPanel } from './contract';
import { emit, installPerch, isInstalled, on, type PerchGlobal } from './perch-global';
import { readScriptSettings } from './script-settings';
import { FAILED_TO_START, widgetFailureText } from './visitor-texts';
import { fetchAppearance } from './widget-config';

/** `chat.<hash>.js`, set by the build (loader/build.ts). */
declare const __PERCH_CHAT_FILE__: string;

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
      (panel = mountChat({ ...settings, root: root!, frame, appearance: appearance!, requestClose: close, emit })),
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
        () => isOpen && notify(FAILED_TO_START),
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
      (error: unknown) => void (refusal = widgetFailureText(codeOf(error))),
    )
    .then(bodyReady)
    .then(() => {
      drawBubble(appearance, settings, toggle, close, preload);
      sync();
    });

  installPerch(global, { open: () => setOpen(true), close, toggle, on });
}

startLoader(document.currentScript as HTMLScriptElement | null, window as unknown as PerchGlobal);
