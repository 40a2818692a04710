import fc from 'fast-check';
import { type Block, type Inline, parseInline, parseMarkdown, safeLinkUrl } from '../../loader/src/chat/markdown';

test.each<[string, Inline[]]>([
  ['plain text', ['plain text']],
  [
    '**bold** and *italic* and _also_',
    [{ t: 'strong', c: ['bold'] }, ' and ', { t: 'em', c: ['italic'] }, ' and ', { t: 'em', c: ['also'] }],
  ],
  ['**bold _inside_**', [{ t: 'strong', c: ['bold ', { t: 'em', c: ['inside'] }] }]],
  ['**unclosed bold', ['**unclosed bold']],
  ['use `npm **start**`', ['use ', { t: 'code', text: 'npm **start**' }]],
  ['snake_case_name stays', ['snake_case_name stays']],
  ['2 * 3 * 4', ['2 * 3 * 4']],
  ['[docs](https://example.com/a?b=1)', [{ t: 'a', href: 'https://example.com/a?b=1', c: ['docs'] }]],
  ['[x](javascript:alert(1))', ['[x](javascript:alert(1))']],
  ['[x](javascript:alert)', ['x']],
  ['[x](data:text/html,hi)', ['x']],
  ['[x](/relative)', ['x']],
  [
    '[**bold link**](http://example.com)',
    [{ t: 'a', href: 'http://example.com/', c: [{ t: 'strong', c: ['bold link'] }] }],
  ],
  ['<img src=x onerror=alert(1)>', ['<img src=x onerror=alert(1)>']],
])('inline %j', (text, expected) => {
  expect(parseInline(text)).toEqual(expected);
});

test.each<[string, Block[]]>([
  [
    'one\ntwo\n\nthree',
    [
      { t: 'p', c: ['one\ntwo'] },
      { t: 'p', c: ['three'] },
    ],
  ],
  ['- a\n- b\n\n- c', [{ t: 'ul', items: [['a'], ['b'], ['c']] }]],
  [
    '1. a\n2) b\n- c',
    [
      { t: 'ol', items: [['a'], ['b']] },
      { t: 'ul', items: [['c']] },
    ],
  ],
  [
    '- a\ntext\n- b',
    [
      { t: 'ul', items: [['a']] },
      { t: 'p', c: ['text'] },
      { t: 'ul', items: [['b']] },
    ],
  ],
  [
    '```js\nconst a = `<b>`;\n\n**not bold**\n```\nafter',
    [
      { t: 'pre', text: 'const a = `<b>`;\n\n**not bold**' },
      { t: 'p', c: ['after'] },
    ],
  ],
  ['```\nunclosed while streaming', [{ t: 'pre', text: 'unclosed while streaming' }]],
  [
    '## Steps\ndo it',
    [
      { t: 'h', c: ['Steps'] },
      { t: 'p', c: ['do it'] },
    ],
  ],
  ['', []],
])('blocks of %j', (text, expected) => {
  expect(parseMarkdown(text)).toEqual(expected);
});

test.each([
  ['https://example.com', 'https://example.com/'],
  ['http://example.com/x', 'http://example.com/x'],
  ['HTTPS://EXAMPLE.COM', 'https://example.com/'],
  ['javascript:alert(1)', undefined],
  [' javascript:alert(1)', undefined],
  ['JaVaScRiPt:alert(1)', undefined],
  ['vbscript:x', undefined],
  ['data:text/html,<script>', undefined],
  ['//evil.example', undefined],
  ['mailto:a@b.c', undefined],
])('safeLinkUrl(%j) is %j', (href, expected) => {
  expect(safeLinkUrl(href)).toBe(expected);
});

function* walk(nodes: Inline[]): Generator<Inline> {
  for (const node of nodes) {
    yield node;
    if (typeof node !== 'string' && 'c' in node) yield* walk(node.c);
  }
}

const inlinesOf = (blocks: Block[]): Inline[] =>
  blocks.flatMap((b) => ('c' in b ? [...walk(b.c)] : 'items' in b ? b.items.flatMap((item) => [...walk(item)]) : []));

const markdownish = fc.stringMatching(/^[a-z <>"'=()[\]*_`#\-\n.:/1]{0,120}$/);

test("any text parses; every link is absolute http(s); only the subset's node types come out", () => {
  fc.assert(
    fc.property(fc.oneof(markdownish, fc.string({ maxLength: 200 })), (text) => {
      const blocks = parseMarkdown(text);
      for (const block of blocks) expect(['p', 'h', 'pre', 'ul', 'ol']).toContain(block.t);
      for (const node of inlinesOf(blocks)) {
        if (typeof node === 'string') continue;
        expect(['strong', 'em', 'code', 'a']).toContain(node.t);
        if (node.t === 'a') expect(node.href).toMatch(/^https?:\/\//);
      }
    }),
    { numRuns: 500 },
  );
});

test('text without markup characters comes out unchanged as paragraphs', () => {
  fc.assert(
    fc.property(fc.stringMatching(/^[A-Za-z0-9 ,.!?<>&"'=;]{1,80}$/), (text) => {
      fc.pre(text.trim().length > 0 && !/^\s*(\d+[.)]|#)/.test(text));
      expect(parseMarkdown(text)).toEqual([{ t: 'p', c: [text] }]);
    }),
  );
});
