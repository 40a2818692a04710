import fc from 'fast-check';
import { luminance, textColourOn, themeContrast } from '../../functions/widgets/theme-contrast';

/** WCAG 2 contrast ratio, computed independently of the code under test's shortcut. */
const contrast = (a: string, b: string) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
};

const hexColour = fc.integer({ min: 0, max: 0xffffff }).map((n) => `#${n.toString(16).padStart(6, '0')}`);

test('the text colour on any theme colour meets WCAG AA (4.5:1) and is the better of black and white', () => {
  fc.assert(
    fc.property(hexColour, (background) => {
      const text = textColourOn(background);
      const other = text === '#000000' ? '#ffffff' : '#000000';
      expect(contrast(background, text)).toBeGreaterThanOrEqual(4.5);
      expect(contrast(background, text)).toBeGreaterThanOrEqual(contrast(background, other) - 1e-9);
    }),
  );
});

test.each([
  ['#2563eb', '#ffffff'],
  ['#fde047', '#000000'],
  ['#000000', '#ffffff'],
  ['#ffffff', '#000000'],
  ['#757575', '#ffffff'],
  ['#767676', '#000000'],
])('text on %s is %s', (background, text) => {
  expect(textColourOn(background)).toBe(text);
  expect(themeContrast(background).onPrimary).toBe(text);
});

test('the focus ring keeps 3:1 against the white panel for any theme colour', () => {
  fc.assert(
    fc.property(hexColour, (primary) => {
      expect(contrast(themeContrast(primary).focusRing, '#ffffff')).toBeGreaterThanOrEqual(3);
    }),
  );
});

test.each([
  ['#2563eb', '#2563eb'],
  ['#1D4ED8', '#1D4ED8'],
  ['#fde047', '#000000'],
])('the focus ring on the white panel for %s is %s (the theme colour while it keeps 3:1)', (primary, ring) => {
  expect(themeContrast(primary).focusRing).toBe(ring);
});
