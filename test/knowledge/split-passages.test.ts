import fc from 'fast-check';
import { type KnowledgeDocument, readDocument } from '../../infra/knowledge/read-document';
import { MAX_PASSAGE_CHARS, sourceUrl, splitPassages } from '../../infra/knowledge/split-passages';

const split = (path: string, source: string) => splitPassages(readDocument(path, source));
const titles = (path: string, source: string) => split(path, source).map((p) => [p.title, p.anchor]);
const words = (n: number, word = 'word') => Array.from({ length: n }, () => word).join(' ');

describe('splitPassages: titles and anchors', () => {
  test('each section is titled by its heading path; a new H2 ends the H3 before it', () => {
    const source = '# Guide\n\nIntro.\n\n## Install\n\na\n\n### Linux\n\nb\n\n### macOS\n\nc\n\n## Use\n\nd';
    expect(titles('guide.md', source)).toEqual([
      ['Guide', ''],
      ['Guide › Install', 'install'],
      ['Guide › Install › Linux', 'linux'],
      ['Guide › Install › macOS', 'macos'],
      ['Guide › Use', 'use'],
    ]);
  });

  test('a skipped level leaves no gap in the path', () => {
    expect(titles('a.md', '# A\n\n#### Deep\n\nx\n\n## Back\n\ny')).toEqual([
      ['A › Deep', 'deep'],
      ['A › Back', 'back'],
    ]);
  });

  test('duplicated headings get GitHub anchors: -1, -2', () => {
    const source = '# Doc\n\n## Setup\n\na\n\n## Setup\n\nb\n\n## Setup\n\nc';
    expect(titles('a.md', source).map(([, anchor]) => anchor)).toEqual(['setup', 'setup-1', 'setup-2']);
  });

  test('the heading that became the title takes its anchor first, as on the page', () => {
    expect(titles('a.md', '# Intro\n\nx\n\n## Intro\n\ny')).toEqual([
      ['Intro', ''],
      ['Intro › Intro', 'intro-1'],
    ]);
  });

  test('anchors of headings with code, punctuation and non-Latin letters', () => {
    const source = '# T\n\n## Use `npm start`!\n\na\n\n## Über uns\n\nb\n\n## 配置 (config)\n\nc';
    expect(titles('a.md', source).map(([, anchor]) => anchor)).toEqual(['use-npm-start', 'über-uns', '配置-config']);
  });

  test('an HTML heading with an id is anchored by it', () => {
    expect(titles('a.html', '<h2 id="steps">Set up</h2><p>x</p><h2>Set up</h2><p>y</p>')).toEqual([
      ['a › Set up', 'steps'],
      ['a › Set up', 'set-up'],
    ]);
  });

  test('a heading without text below it makes no passage; an empty document makes none', () => {
    expect(titles('a.md', '# A\n\n## Empty\n\n## Full\n\nx')).toEqual([['A › Full', 'full']]);
    expect(split('a.md', '')).toEqual([]);
  });
});

describe('splitPassages: bounds', () => {
  test('short blocks of a section share one passage, joined by blank lines', () => {
    expect(split('a.md', '# A\n\nOne.\n\nTwo.')).toEqual([{ title: 'A', anchor: '', text: 'One.\n\nTwo.' }]);
  });

  test('a long section is cut between blocks, each passage within the bound', () => {
    const paragraph = `${words(60)}.`;
    const passages = split('a.md', `# A\n\n${Array.from({ length: 20 }, () => paragraph).join('\n\n')}`);
    expect(passages.length).toBeGreaterThan(1);
    for (const p of passages) expect(p.text.length).toBeLessThanOrEqual(MAX_PASSAGE_CHARS);
    expect(passages.map((p) => p.text).join('\n\n')).toBe(Array.from({ length: 20 }, () => paragraph).join('\n\n'));
  });

  test('a long paragraph is cut between sentences', () => {
    const sentence = `${words(30, 'alpha')}.`;
    const passages = split('a.txt', Array.from({ length: 20 }, () => sentence).join(' '));
    expect(passages.length).toBeGreaterThan(1);
    for (const p of passages) {
      expect(p.text.length).toBeLessThanOrEqual(MAX_PASSAGE_CHARS);
      expect(p.text).toMatch(/^alpha[\s\S]*\.$/);
    }
  });

  test('sentences ending in Chinese or Japanese full stops are cut there too', () => {
    const sentence = `${'知识库'.repeat(40)}。`;
    const passages = split('a.txt', sentence.repeat(20));
    expect(passages.length).toBeGreaterThan(1);
    for (const p of passages) expect(p.text).toMatch(/。$/);
  });

  test('a code block longer than the bound stays whole, # lines and blank lines included', () => {
    const body = Array.from({ length: 120 }, (_, i) => (i % 10 === 0 ? `# step ${i}\n` : `echo ${i} "${words(3)}"`));
    const fence = `\`\`\`sh\n${body.join('\n')}\n\`\`\``;
    const passages = split('a.md', `# A\n\n## Run\n\nBefore.\n\n${fence}\n\nAfter.`);
    expect(fence.length).toBeGreaterThan(MAX_PASSAGE_CHARS);
    expect(passages.map((p) => [p.title, p.text])).toEqual([
      ['A › Run', 'Before.'],
      ['A › Run', fence],
      ['A › Run', 'After.'],
    ]);
  });

  test('a word longer than the bound is cut hard, never between the halves of a character', () => {
    const passages = split('a.txt', `a${'😀'.repeat(MAX_PASSAGE_CHARS)}`);
    expect(passages.length).toBeGreaterThan(1);
    for (const p of passages) {
      expect(p.text.length).toBeLessThanOrEqual(MAX_PASSAGE_CHARS);
      expect(p.text).toMatch(/^a?(?:😀)+$/u);
    }
  });

  const piece = fc.oneof(
    fc.constantFrom('. ', '! ', '? ', '\n', '\n\n', '...', '。', ' ', '#', '`'),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
    fc.constantFrom('x'.repeat(700), 'y '.repeat(400)),
  );
  const document = fc.array(
    fc.oneof(
      fc.record({
        kind: fc.constant('text' as const),
        text: fc.array(piece, { maxLength: 60 }).map((p) => p.join('')),
      }),
      fc.record({ kind: fc.constant('heading' as const), depth: fc.integer({ min: 1, max: 6 }), text: fc.string() }),
    ),
    { maxLength: 12 },
  );

  test('no text is lost and no passage but a code block exceeds the bound (any blocks)', () => {
    fc.assert(
      fc.property(document, (blocks) => {
        const doc: KnowledgeDocument = { title: 'T', blocks: blocks.filter((b) => b.text.trim() !== '') };
        const passages = splitPassages(doc);
        const squash = (t: string) => t.replace(/\s+/g, '');
        const texts = doc.blocks.flatMap((b) => (b.kind === 'heading' ? [] : [b.text]));
        expect(squash(passages.map((p) => p.text).join(''))).toBe(squash(texts.join('')));
        for (const p of passages) {
          expect(p.text.length).toBeLessThanOrEqual(MAX_PASSAGE_CHARS);
          expect(p.text.trim()).toBe(p.text);
          expect(p.text).not.toBe('');
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('sourceUrl', () => {
  test.each([
    ['{path}', 'https://d.example.com/{path}', 'docs/guide.md', 'install', 'https://d.example.com/docs/guide.md'],
    ['{slug}', 'https://d.example.com/{slug}', 'docs/guide.md', '', 'https://d.example.com/docs/guide'],
    ['{anchor}', 'https://d.example.com/{slug}#{anchor}', 'guide.md', 'set-up', 'https://d.example.com/guide#set-up'],
    ['no anchor, no #', 'https://d.example.com/{slug}#{anchor}', 'guide.md', '', 'https://d.example.com/guide'],
    ['spaces', 'https://d.example.com/{path}', 'my docs/a b.md', '', 'https://d.example.com/my%20docs/a%20b.md'],
    [
      'unicode',
      'https://d.example.com/{slug}#{anchor}',
      'docs/über.md',
      'größe',
      'https://d.example.com/docs/%C3%BCber#gr%C3%B6%C3%9Fe',
    ],
    ['# and ? in a path', 'https://d.example.com/{path}', 'c#/a?.md', '', 'https://d.example.com/c%23/a%3F.md'],
    ['a dotted folder', 'https://d.example.com/{slug}', 'v1.2/notes', '', 'https://d.example.com/v1.2/notes'],
  ])('fills %s', (_name, template, path, anchor, url) => {
    expect(sourceUrl(template, path, anchor)).toBe(url);
  });

  test('a base without a template gives no url', () => {
    expect(sourceUrl(undefined, 'a.md', 'x')).toBeUndefined();
  });

  test('a filled url always parses and keeps the template host', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme', minLength: 1 }), { minLength: 1, maxLength: 4 }), (parts) => {
        const url = sourceUrl('https://docs.example.com/{path}#{anchor}', `${parts.join('/')}.md`, parts[0]!);
        expect(new URL(url!).host).toBe('docs.example.com');
      }),
    );
  });
});
