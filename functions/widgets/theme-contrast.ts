/**
 * The colours that go with a widget's theme colour, computed once here so that the loader only
 * writes them into CSS (its size budget is tight; the theme colour changes only with the config).
 */
export interface ThemeContrast {
  /** Text and icons on the theme colour: black or white, whichever passes WCAG AA. */
  onPrimary: '#000000' | '#ffffff';
  /** Focus rings and borders on the white panel: the theme colour when it keeps 3:1, else black. */
  focusRing: string;
}

function channel(value: number): number {
  const c = value / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** WCAG relative luminance of a `#rrggbb` colour (0 black .. 1 white). */
export function luminance(hex: string): number {
  const n = parseInt(hex.slice(1), 16);
  return 0.2126 * channel(n >> 16) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
}

/**
 * Black or white, whichever contrasts more with `background`: black wins when
 * (L + 0.05) / 0.05 ≥ 1.05 / (L + 0.05), i.e. L ≥ 0.1791. The winner always reaches 4.58:1,
 * above WCAG AA's 4.5:1 for normal text, whatever the theme colour.
 */
export function textColourOn(background: string): '#000000' | '#ffffff' {
  return luminance(background) >= 0.1791 ? '#000000' : '#ffffff';
}

/** `primary` is a `#rrggbb` colour (the config schema allows nothing else). */
export function themeContrast(primary: string): ThemeContrast {
  // Rings in the theme colour on the white panel need 3:1 with white (WCAG 1.4.11):
  // 1.05 / (L + 0.05) ≥ 3 ⟺ L ≤ 0.3. Lighter themes get black ones.
  return { onPrimary: textColourOn(primary), focusRing: luminance(primary) <= 0.3 ? primary : '#000000' };
}
