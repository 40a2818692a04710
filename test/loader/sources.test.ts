import fc from 'fast-check';
import { MAX_SOURCES, readSources, type Source, sourcesAnnouncement } from '../../loader/src/chat/sources';

const KEYS: Source = { title: 'Rotating keys', path: 'docs/keys.md', url: 'https://docs.example.com/keys' };
const NO_URL: Source = { title: 'Limits', path: 'docs/limits.md', url: undefined };

// The sources come from the network: only well-formed entries are kept, with their fields as sent.
test.each<[string, unknown, Source[]]>([
  ['absent (an old server)', undefined, []],
  ['empty', [], []],
  ['not an array', { title: 'x', path: 'y' }, []],
  ['a well-formed list, in order', [KEYS, { title: 'Limits', path: 'docs/limits.md' }], [KEYS, NO_URL]],
  ['an entry without a path', [{ title: 'x' }, KEYS], [KEYS]],
  ['an entry with a number title', [{ title: 1, path: 'a.md' }], []],
  ['an entry with an empty title keeps its path', [{ title: '', path: 'a.md' }], [{ title: '', path: 'a.md' }]],
  ['an entry with neither title nor path', [{ title: '', path: '' }], []],
  ['null, strings and numbers', [null, 'docs/a.md', 7, KEYS], [KEYS]],
  ['a url that is not a string', [{ ...KEYS, url: { href: 'https://x' } }], [{ ...KEYS, url: undefined }]],
  ['extra fields are dropped', [{ ...KEYS, html: '<b>x</b>' }], [KEYS]],
  [
    'a javascript: url is kept as data (the list shows it as text)',
    [{ ...KEYS, url: 'javascript:alert(1)' }],
    [{ ...KEYS, url: 'javascript:alert(1)' }],
  ],
])('readSources: %s', (_, value, expected) => {
  expect(readSources(value)).toEqual(expected);
});

test(`readSources keeps the first ${MAX_SOURCES} of a longer list`, () => {
  const many = Array.from({ length: 8 }, (_, i) => ({ title: `T${i}`, path: `p${i}.md` }));

  const kept = readSources(many);

  expect(kept.map((s) => s.title)).toEqual(['T0', 'T1', 'T2', 'T3', 'T4']);
});

test('readSources never throws and keeps at most five entries with string title and path', () => {
  fc.assert(
    fc.property(
      fc.oneof(fc.anything(), fc.array(fc.anything()), fc.array(fc.record({ title: fc.anything() }))),
      (v) => {
        const kept = readSources(v);
        expect(kept.length).toBeLessThanOrEqual(MAX_SOURCES);
        for (const s of kept) {
          expect([typeof s.title, typeof s.path, typeof (s.url ?? '')]).toEqual(['string', 'string', 'string']);
        }
      },
    ),
  );
});

test.each<[string, Source[] | undefined, string]>([
  ['no sources add nothing', [], ''],
  ['absent sources add nothing', undefined, ''],
  ['the names follow the answer', [KEYS, NO_URL], '\n\nSources: Rotating keys, Limits'],
  ['a source without a title is named by its path', [{ title: '', path: 'docs/a.md' }], '\n\nSources: docs/a.md'],
])('sourcesAnnouncement: %s', (_, sources, expected) => {
  expect(sourcesAnnouncement('Sources', sources)).toBe(expected);
});

test("sourcesAnnouncement names the list with the widget language's heading", () => {
  expect(sourcesAnnouncement('Quellen', [KEYS])).toBe('\n\nQuellen: Rotating keys');
});
