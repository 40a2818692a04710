import fc from 'fast-check';
import { PerchError } from '../../functions/errors/perch-error';
import { CATALOGUES } from '../../functions/texts/catalogues';
import { LOCALES, matchLocale, TEXT_KEYS, visitorLanguage } from '../../functions/texts/language';

test.each([
  ['a plain tag', 'de', 'de'],
  ['a region, matched on its language', 'pt-BR', 'pt'],
  ['upper case', 'FR-CA', 'fr'],
  ['the best quality first, whatever the order', 'en;q=0.5, ja;q=0.9', 'ja'],
  ['order among equal qualities', 'es, de', 'es'],
  ['an unshipped language skipped for the next', 'nl-NL, nl;q=0.9, ar;q=0.8', 'ar'],
  ['q=0 (not acceptable) skipped', 'de;q=0, fr;q=0.1', 'fr'],
  ['spaces and an empty range', ' , de-AT ; q=0.7 ', 'de'],
  ['nothing shipped', 'nl, sv;q=0.9', undefined],
  ['the wildcard (no language of its own)', '*', undefined],
  ['no header', undefined, undefined],
  ['garbage', ';;;,,,=q', undefined],
  ['a prototype property', '__proto__, constructor, toString', undefined],
  ['a tag with markup', '<script>de</script>', undefined],
  ['a quality that is no number', 'de;q=abc, fr', 'fr'],
  ['a match beyond the first 512 characters', `${'x'.repeat(600)}, de`, undefined],
])('matchLocale reads %s', (_name, header, expected) => {
  expect(matchLocale(header)).toBe(expected);
});

test('matchLocale never throws and answers a shipped language or none, for any header', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 2000 }), (header) => {
      const locale = matchLocale(header);
      return locale === undefined || LOCALES.includes(locale);
    }),
  );
});

test('every catalogue names every text, none of them empty', () => {
  for (const locale of LOCALES) {
    for (const key of [...TEXT_KEYS, 'greeting', 'placeholder'] as const) {
      expect([locale, key, CATALOGUES[locale][key].trim().length > 0]).toEqual([locale, key, true]);
    }
  }
});

test('a widget in auto reads the visitor language, else English; an unknown widget reads the visitor language', () => {
  expect(visitorLanguage({ locale: 'auto' }, 'ja').locale).toBe('ja');
  expect(visitorLanguage({ locale: 'auto' }, 'nl').locale).toBe('en');
  expect(visitorLanguage({ locale: 'de' }, 'ja').locale).toBe('de');
  expect(visitorLanguage({}, 'ja').locale).toBe('en'); // a record from before languages
  expect(visitorLanguage(undefined, 'ar')).toMatchObject({ locale: 'ar', dir: 'rtl' });
});

test('overrides replace their texts in any language; a hostile own key is not a text', () => {
  const texts = JSON.parse('{"send":"<b>Go</b>","__proto__":{"sources":"polluted"}}');
  const language = visitorLanguage({ locale: 'fr', texts }, undefined);
  expect(language.texts.send).toBe('<b>Go</b>');
  expect(language.texts.sources).toBe('Sources');
  expect(Object.keys(language.texts)).toEqual(TEXT_KEYS);
});

test('a refusal message is worded in the given texts, keeping a detail; a developer note stays', () => {
  const german = visitorLanguage({ locale: 'de' }).texts;
  expect(new PerchError('widget_rate_limit').messageIn(german)).toBe(german.tooFast);
  const crash = new PerchError('internal_error', { message: 'Failed to start chat. Please try again. (request r-1)' });
  expect(crash.messageIn(german)).toBe(`${german.startFailed} (request r-1)`);
  expect(new PerchError('bad_request', { message: 'text: too long' }).messageIn(german)).toBe('text: too long');
  expect(new PerchError('identity_required').messageIn(german)).toBe('Bitte melden Sie sich an, um zu chatten.');
});
