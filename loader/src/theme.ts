import type { Appearance } from './contract';

/** The config's default theme colour with its contrast colours: for a widget whose appearance did not load. */
const FALLBACK_CSS = '.w{--p:#2563eb;--on-p:#ffffff;--ring:#2563eb}';

/**
 * The theme as CSS custom properties for a constructed stylesheet. The server computes the
 * contrast colours (functions/widgets/theme-contrast.ts); they come from the network, so the
 * whole rule is checked: unless it holds three `#rrggbb` and nothing else, the fallback is used.
 */
export function themeCss(theme?: Appearance['theme']): string {
  const css = `.w{--p:${theme?.primary};--on-p:${theme?.onPrimary};--ring:${theme?.focusRing}}`;
  return /^\.w\{--p:#[0-9a-f]{6};--on-p:#[0-9a-f]{6};--ring:#[0-9a-f]{6}\}$/i.test(css) ? css : FALLBACK_CSS;
}
