import fc from 'fast-check';
import { DOCUMENT_TYPES, readDocument } from '../../infra/knowledge/read-document';

const text = (t: string) => ({ kind: 'text', text: t });
const heading = (depth: number, t: string) => ({ kind: 'heading', depth, text: t });
const code = (t: string) => ({ kind: 'code', text: t });

describe('readDocument: Markdown', () => {
  test.each([
    ['front matter', '---\ntitle: "Install guide"\nsidebar: 2\n---\nIntro.', 'Install guide', [text('Intro.')]],
    ['front matter with CRLF', '---\r\ntitle: Setup\r\n---\r\nIntro.', 'Setup', [text('Intro.')]],
    ['the first top heading', '# Install\n\nIntro.\n\n## Linux', 'Install', [text('Intro.'), heading(2, 'Linux')]],
    ['the file name', 'Intro.\n\n## Linux', 'guide', [text('Intro.'), heading(2, 'Linux')]],
    ['front matter without a title', '---\ntags: [a]\n---\n# Top\n\nx', 'Top', [text('x')]],
    ['front matter over a different top heading', '---\ntitle: A\n---\n# B\n\nx', 'A', [heading(1, 'B'), text('x')]],
    ['front matter and the same top heading (said once)', '---\ntitle: A\n---\n# A\n\nx', 'A', [text('x')]],
    ['a heading that is not first', 'Intro.\n\n# Later', 'Later', [text('Intro.')]],
  ])('the title comes from %s', (_name, source, title, blocks) => {
    const document = readDocument('docs/guide.md', source);
    expect({ title: document.title, blocks: document.blocks }).toEqual({ title, blocks });
  });

  test('a top heading that became the title is remembered (the page still shows it)', () => {
    expect(readDocument('a.md', '# Install\n\nx').titleHeading).toBe('Install');
    expect(readDocument('a.md', '---\ntitle: Install\n---\nx').titleHeading).toBeUndefined();
  });

  test('a malformed front matter block is text, not a heading or a title', () => {
    const document = readDocument('notes.md', '---\ntitle: [unclosed\n# not a heading\n---\nBody text.\n');
    expect(document).toEqual({
      title: 'notes',
      blocks: [text('title: [unclosed\n# not a heading'), text('Body text.')],
    });
  });

  test('a --- block that does not open the file is not front matter', () => {
    const document = readDocument('a.md', 'Intro\n\n---\ntitle: x\n---\n');
    expect(document.title).toBe('a');
    expect(document.blocks).toContainEqual(text('Intro'));
  });

  test('headings lose their markup and decode entities', () => {
    const { blocks } = readDocument('a.md', 'x\n\n## Use `npm start` &amp; [links](https://x.example.com) **now**');
    expect(blocks[1]).toEqual(heading(2, 'Use npm start & links now'));
  });

  test('a fenced code block stays whole, its # lines are code, not headings', () => {
    const fence = '```sh\n# install\nnpm ci\n\n# run\nnpm start\n```';
    expect(readDocument('a.md', `# Guide\n\n${fence}\n\nAfter.`).blocks).toEqual([code(fence), text('After.')]);
  });

  test('an indented code block becomes a fenced one and keeps the indentation of every line', () => {
    const { blocks } = readDocument('a.md', 'Run:\n\n    if (x) {\n      go();\n    }\n\nDone.');
    expect(blocks).toEqual([text('Run:'), code('```\nif (x) {\n  go();\n}\n```'), text('Done.')]);
  });

  test('an indented code block holding a fence gets a longer fence', () => {
    const { blocks } = readDocument('a.md', 'Run:\n\n    ```\n    nested\n    ```\n');
    expect(blocks[1]).toEqual(code('````\n```\nnested\n```\n````'));
  });

  test('HTML blocks give their visible text: no script or style content', () => {
    const source =
      'Intro\n\n<script>alert("x")</script>\n\n<style>p{color:red}</style>\n\n<div>ok &amp; <b>fine</b></div>';
    expect(readDocument('a.md', source).blocks).toEqual([text('Intro'), text('ok & fine')]);
  });

  test('lists, tables and quotes are kept as written; rules and link definitions are not text', () => {
    const source = '- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n> quoted\n\n---\n\n[ref]: https://x.example.com';
    expect(readDocument('a.md', source).blocks).toEqual([
      text('- one\n- two'),
      text('| a | b |\n|---|---|\n| 1 | 2 |'),
      text('> quoted'),
    ]);
  });

  test('the type is read from the extension whatever its case', () => {
    expect(readDocument('README.MD', '# Read me\n\nx').title).toBe('Read me');
  });
});

describe('readDocument: MDX', () => {
  test('import and export statements are dropped, also when they span lines', () => {
    const source = [
      "import { Tabs } from '@site/tabs';",
      'import {',
      '  A,',
      '  B,',
      "} from './parts';",
      'export const meta = {',
      "  title: 'M',",
      '};',
      '',
      '# Title',
      '',
      'Text <Tabs>inside</Tabs>.',
    ].join('\n');
    expect(readDocument('a.mdx', source)).toEqual({
      title: 'Title',
      titleHeading: 'Title',
      blocks: [text('Text <Tabs>inside</Tabs>.')],
    });
  });

  test('import and export lines inside a code block are code', () => {
    const fence = "```js\nimport { x } from 'y';\nexport default x;\n```";
    expect(readDocument('a.mdx', `# T\n\n${fence}`).blocks).toEqual([code(fence)]);
  });

  test('a sentence starting with the word export is text', () => {
    expect(readDocument('a.mdx', 'Export your data from the settings.').blocks).toEqual([
      text('Export your data from the settings.'),
    ]);
  });
});

describe('readDocument: HTML', () => {
  const page = [
    '<!doctype html><html><head><title>Guide &amp; FAQ</title><script>steal()</script>',
    '<style>body{}</style></head><body><nav>Home | Docs</nav>',
    '<h1>Getting started</h1><p>Read <b>this</b> first &mdash; it&#39;s short.<script>alert(1)</script></p>',
    '<h2>Install<style>.x{}</style></h2><pre><code>npm ci\n  npm start\n</code></pre>',
    '<h3>Linux</h3><ul><li>Ubuntu</li><li>Debian</li></ul>',
    '<table><tr><th>Key</th><th>Value</th></tr><tr><td>a</td><td>1</td></tr></table>',
    '<p>Line one<br>line two</p><div>Loose <i>text</i></div>',
    '<form><button>Send</button></form><noscript>Enable JS</noscript><template>t</template>',
    '</body></html>',
  ].join('');

  test('title, h1–h3, pre as fenced code, text blocks; no script, style, nav or form content', () => {
    expect(readDocument('site/guide.html', page)).toEqual({
      title: 'Guide & FAQ',
      blocks: [
        heading(1, 'Getting started'),
        text("Read this first — it's short."),
        heading(2, 'Install'),
        code('```\nnpm ci\n  npm start\n```'),
        heading(3, 'Linux'),
        text('Ubuntu'),
        text('Debian'),
        text('Key Value'),
        text('a 1'),
        text('Line one line two'),
        text('Loose text'),
      ],
    });
  });

  test('a heading with an id keeps it for its anchor', () => {
    const { blocks } = readDocument('a.html', '<h2 id="setup-steps">Set up</h2><p>x</p>');
    expect(blocks[0]).toEqual({ kind: 'heading', depth: 2, text: 'Set up', id: 'setup-steps' });
  });

  test('a pre holding ``` gets a longer fence, its text unchanged', () => {
    const { blocks } = readDocument('a.htm', '<pre>```js\nx\n```</pre>');
    expect(blocks).toEqual([code('````\n```js\nx\n```\n````')]);
  });

  test('hostile markup never reaches the text: scripts, event handlers, comments, CDATA', () => {
    const hostile =
      '<p onclick="evil()">Hi<img src=x onerror="evil()"><!-- <script>evil()</script> --></p>' +
      '<script type="module">import("https://evil.example.com")</script><svg><script>evil()</script></svg>' +
      '<iframe src="https://evil.example.com">frame</iframe><p>Bye<![CDATA[evil()]]></p>';
    const all = readDocument('a.html', hostile)
      .blocks.map((b) => b.text)
      .join('\n');
    expect(all).toBe('Hi\nBye');
  });

  test('a page without a title is named by its file', () => {
    expect(readDocument('docs/faq.html', '<p>Hello</p>')).toEqual({ title: 'faq', blocks: [text('Hello')] });
  });
});

describe('readDocument: plain text and empty files', () => {
  test('plain text is split into paragraphs at blank lines; # lines are text', () => {
    expect(readDocument('notes.txt', '# not a heading\nsecond line\n\n  \n\nnext paragraph\n')).toEqual({
      title: 'notes',
      blocks: [text('# not a heading\nsecond line'), text('next paragraph')],
    });
  });

  test.each(['a.md', 'a.mdx', 'a.txt', 'a.html'])('an empty %s has no blocks and is named by its file', (path) => {
    expect(readDocument(path, '')).toEqual({ title: 'a', blocks: [] });
    expect(readDocument(path, '\n\n   \n')).toEqual({ title: 'a', blocks: [] });
  });
});

test('any text in any supported type is read without throwing, into non-empty blocks', () => {
  fc.assert(
    fc.property(fc.constantFrom(...DOCUMENT_TYPES), fc.string({ unit: 'binary', maxLength: 400 }), (type, source) => {
      const { title, blocks } = readDocument(`doc${type}`, source);
      expect(typeof title).toBe('string');
      for (const block of blocks) if (block.kind !== 'heading') expect(block.text.trim()).not.toBe('');
    }),
    { numRuns: 200 },
  );
});
