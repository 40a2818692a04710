import type { Appearance } from './contract';
import { attrs, CLOSE_ICON, el, icon, sheet } from './dom';
import LOADER_CSS from './loader.css';
import type { ScriptSettings } from './script-settings';
import { themeCss } from './theme';

const CHAT_ICON = 'M4 3h16a1 1 0 0 1 1 1v12a1 1 0 0 1-1 1H9l-5 4v-4a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1z';

// One widget per page (the loader refuses to run twice), so the drawn parts are module state:
// they minify to plain variables, which the loader's size budget needs.
let button: HTMLButtonElement;
let glyph: SVGPathElement;
let notice: HTMLElement;
let texts: Appearance['texts'] | undefined;
let name = '';
let isOpen = false;
/** The open Shadow DOM the widget lives in, once drawn. */
export let root: ShadowRoot | undefined;
/** Where the panel goes, beside the bubble. */
export let frame: HTMLElement;

/** Resolves once `document.body` exists (the tag may run in `<head>` before the parser reaches it). */
export const bodyReady = (): Promise<unknown> =>
  new Promise((done) => (document.body ? done(0) : document.addEventListener('DOMContentLoaded', done)));

/**
 * Draws the bubble and its (hidden) notice in an open Shadow DOM on a `<perch-widget>` at the
 * end of the body. Without an appearance (it did not load) the bubble has the default theme and
 * no name. `preload` runs when the pointer or focus reaches the bubble.
 */
export function drawBubble(
  appearance: Appearance | undefined,
  settings: ScriptSettings,
  toggle: () => void,
  close: () => void,
  preload: () => void,
): void {
  const host = document.createElement('perch-widget');
  root = host.attachShadow({ mode: 'open' });
  root.adoptedStyleSheets = [sheet(LOADER_CSS + themeCss(appearance?.theme))];
  // The tag's `data-position` wins over the config's on this page (a widget that did not load keeps the default).
  const position = appearance && (settings.position ?? appearance.theme.position);
  frame = el('div', position === 'bottom-left' ? 'w l' : 'w');
  // The widget's language: `dir` mirrors the panel for right-to-left ones, `lang` tells screen readers how to speak.
  if (appearance) attrs(frame, { dir: appearance.dir, lang: appearance.locale });
  button = attrs(el('button', 'b'), { type: 'button', 'aria-haspopup': 'dialog' });
  // One icon whose path changes with the state: a chat bubble, or a cross while open.
  const svg = button.appendChild(icon(CHAT_ICON));
  glyph = svg.firstChild as SVGPathElement;
  button.onclick = toggle;
  button.onpointerenter = button.onfocus = preload;
  texts = appearance?.texts;
  name = appearance ? `: ${appearance.name}` : '';
  notice = attrs(el('div', 'n'), { role: 'status' });
  frame.onkeydown = (event) => {
    if (event.key === 'Escape' && isOpen) {
      event.stopPropagation(); // the page's own Esc handlers (its modals) are not ours to trigger
      close();
    }
  };
  frame.append(notice, button);
  root.append(frame);
  document.body.append(host);
}

export function showOpen(open: boolean): void {
  isOpen = open;
  // A widget that did not load has no texts: its bubble keeps English labels.
  const label = isOpen ? (texts?.closeChat ?? 'Close chat') : (texts?.openChat ?? 'Open chat');
  attrs(button, { 'aria-expanded': `${isOpen}`, 'aria-label': label + name });
  attrs(glyph, { d: isOpen ? CLOSE_ICON : CHAT_ICON });
  frame.classList.toggle('o', isOpen);
}

/** Shows a refusal or failure above the bubble; no text hides it. */
export function notify(text = ''): void {
  notice.textContent = text;
  notice.hidden = !text;
}

export const focusBubble = () => button.focus();
