import fc from 'fast-check';
import { MAX_QUOTE_CHARS, quotePassage } from '../../functions/providers/quote-passage';

const sentence = (n: number) => `Sentence ${n} says something useful about keys.`;

/** Whether `text` ends inside a fenced code block (CommonMark: ``` or ~~~, closed by a run at least as long). */
function endsInsideFence(text: string): boolean {
  let open: { char: string; length: number } | undefined;
  for (const line of text.split('\n')) {
    const fence = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
    if (!fence) continue;
    const [run, rest] = [fence[1]!, fence[2]!];
    if (!open) {
      if (run[0] === '~' || !rest.includes('`')) open = { char: run[0]!, length: run.length };
    } else if (run[0] === open.char && run.length >= open.length && rest.trim() === '') open = undefined;
  }
  return open !== undefined;
}

describe('quotePassage', () => {
  test('a short passage is quoted whole, trimmed, without a marker', () => {
    expect(quotePassage('  Raise keyRotation.\n\n')).toBe('Raise keyRotation.');
    const exact = 'x'.repeat(MAX_QUOTE_CHARS);
    expect(quotePassage(exact)).toBe(exact);
  });

  test('a long passage is cut at the last paragraph end before the limit, marked with …', () => {
    const text = `${sentence(1)} ${sentence(2)}\n\n${sentence(3)}\n\n${sentence(4)} ${sentence(5)}`;
    expect(quotePassage(text, 150)).toBe(`${sentence(1)} ${sentence(2)}\n\n${sentence(3)} …`);
  });

  test('without a late enough paragraph end, at the last sentence end', () => {
    const text = [1, 2, 3, 4, 5].map(sentence).join(' ');
    expect(quotePassage(text, 120)).toBe(`${sentence(1)} ${sentence(2)} …`);
  });

  test.each(['!', '?'])('a sentence may end with %s', (end) => {
    const text = `${'word '.repeat(10)}done${end} ${'more '.repeat(20)}`;
    expect(quotePassage(text, 80)).toBe(`${'word '.repeat(10)}done${end} …`);
  });

  test('without a sentence end, at the last word', () => {
    expect(quotePassage('alpha beta gamma delta epsilon zeta', 20)).toBe('alpha beta gamma …');
  });

  test('without any space, at the limit', () => {
    expect(quotePassage('a'.repeat(100), 30)).toBe(`${'a'.repeat(30)} …`);
  });

  test('a cut that would fall inside a code block stops before the block', () => {
    const text = `Run this first, then read on.\n\n\`\`\`sh\nnpm ci\n\nnpm start\n\`\`\`\n\nAfter.`;
    expect(quotePassage(text, 50)).toBe('Run this first, then read on. …');
  });

  test('a code block opening the passage is quoted whole, however long', () => {
    const block = `\`\`\`js\n${Array.from({ length: 40 }, (_, i) => `const v${i} = ${i};`).join('\n\n')}\n\`\`\``;
    expect(quotePassage(`${block}\n\nAfter the code.`, 100)).toBe(`${block} …`);
    expect(quotePassage(block, 100)).toBe(block);
  });

  test('an unclosed code block opening the passage is quoted whole', () => {
    const text = '```js\nconst a = 1;\n\nconst b = 2;\nconst c = 3;';
    expect(quotePassage(text, 20)).toBe(text);
  });

  test('~~~ fences count as code blocks too', () => {
    const text = 'Intro line that is long enough.\n\n~~~\nsome code\n\nmore code\n~~~\n\nAfter.';
    expect(quotePassage(text, 50)).toBe('Intro line that is long enough. …');
  });

  test('a longer fence is not closed by a shorter one inside it', () => {
    const text = 'Intro.\n\n````md\n```js\nx\n```\n\nmore inside\n````\n\nAfter text';
    const quote = quotePassage(text, 40);
    expect(quote).toBe('Intro. …');
  });

  test('``` in the middle of a line is not a fence', () => {
    const text = `Write \`\`\` to open a block. ${'Then more words follow here. '.repeat(5)}`;
    expect(quotePassage(text, 60)).toBe('Write ``` to open a block. Then more words follow here. …');
  });

  test('any passage: a prefix of it, within the limit unless code opens it, never ending inside a fence', () => {
    const part = fc.oneof(
      fc.constantFrom('```', '````', '~~~', '```js', '\n', '\n\n', '. ', ' ', '   ```', '    ```', 'word', '`'),
      fc.string({ maxLength: 8 }),
    );
    fc.assert(
      fc.property(fc.array(part, { maxLength: 80 }), fc.integer({ min: 10, max: 200 }), (parts, max) => {
        const text = parts.join('');
        // Not generated: a line opening with inline code of 3+ backticks (cut short, it would read as a fence).
        fc.pre(!/^ {0,3}`{3,}[^\n]*`/m.test(text.trim().replace(/^ {0,3}(`{3,})[^`\n]*$/gm, '')));
        const quote = quotePassage(text, max);
        const body = quote.endsWith(' …') && quote !== text.trim() ? quote.slice(0, -2) : quote;
        expect(text.trim().startsWith(body)).toBe(true);
        if (quote !== text.trim()) expect(quote.endsWith(' …')).toBe(true);
        if (!/^ {0,3}(`{3,}|~{3,})/.test(text.trim())) expect(body.length).toBeLessThanOrEqual(max);
        if (quote !== text.trim()) expect(endsInsideFence(body)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});
