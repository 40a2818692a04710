/**
 * How text becomes search terms, for the faq provider's Q&A matching and the knowledge index
 * alike: words of letters and digits, lower-cased without accents, stop words dropped, light
 * stemming, and camelCase words also indexed by their parts (`keyRotation` → key, rotation).
 */
const STOP_WORDS = new Set(
  (
    'a an and are as at be can could do does did for from how i if in is it me my of on or our please ' +
    'the this to was what when where which who why will with would you your'
  ).split(' '),
);

const SUFFIXES = ['ations', 'ation', 'ating', 'ated', 'ates', 'ate', 'ings', 'ing', 'ies', 'ed', 'es', 's', 'e'];

// A light suffix stripper: enough for "rotate/rotating/rotated/rotation" to meet. A plural in
// -ies and a final consonant + y both end in -i first (Porter's step 1), so retry/retries and
// cookie/cookies meet too.
function stem(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}i`;
  if (word.length > 3 && /[^aeiouy]y$/.test(word)) return `${word.slice(0, -1)}i`;
  for (const suffix of SUFFIXES) {
    if (word.length > suffix.length + 2 && word.endsWith(suffix)) return word.slice(0, -suffix.length);
  }
  return word;
}

const fold = (word: string) => word.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();

/** The words of a text, as written (the index's tokenizer). */
export const tokenize = (text: string): string[] => text.match(/[\p{L}\p{M}\p{N}]+/gu) ?? [];

// Building an index asks for the same few thousand words a million times; bounded, since queries
// bring words of their own.
const cache = new Map<string, string[]>();
const CACHE_SIZE = 100_000;

/** One written word → its terms (none for a stop word or a single character). */
export function wordTerms(word: string): string[] {
  let terms = cache.get(word);
  if (!terms) {
    if (cache.size >= CACHE_SIZE) cache.clear();
    terms = termsOf(word);
    cache.set(word, terms);
  }
  return terms;
}

function termsOf(word: string): string[] {
  const whole = fold(word);
  if (whole.length < 2 || STOP_WORDS.has(whole)) return [];
  const parts = word.split(/(?<=\p{Ll})(?=\p{Lu})/u).map(fold);
  const split = parts.length > 1 ? parts.filter((p) => p.length > 1 && !STOP_WORDS.has(p)).map(stem) : [];
  const terms = [stem(whole), ...split];
  return [...new Set(terms)];
}

/** Lower-cased word stems without stop words: "Rotating keys?" → ["rot", "key"]. */
export const keywords = (text: string): string[] => tokenize(text).flatMap(wordTerms);
