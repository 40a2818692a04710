import { themeCss } from '../../loader/src/theme';

const FALLBACK = '.w{--p:#2563eb;--on-p:#ffffff;--ring:#2563eb}';
const theme = {
  primary: '#fde047',
  position: 'bottom-left' as const,
  onPrimary: '#000000' as const,
  focusRing: '#000000',
};

// The contrast colours themselves are the server's (test/widgets/theme-contrast.test.ts).
test("the theme's colours, as the config route computed them, become the CSS custom properties", () => {
  expect(themeCss(theme)).toBe('.w{--p:#fde047;--on-p:#000000;--ring:#000000}');
});

test('a widget whose appearance did not load gets the default theme', () => {
  expect(themeCss()).toBe(FALLBACK);
});

test.each(['red}*{display:none', '#12345', 'url(x)', '', '#2563eb;--x:1', undefined])(
  'a theme colour that is not #rrggbb (%j), in any of the three places, never reaches the CSS',
  (colour) => {
    for (const field of ['primary', 'onPrimary', 'focusRing'] as const) {
      expect(themeCss({ ...theme, [field]: colour } as typeof theme)).toBe(FALLBACK);
    }
  },
);
