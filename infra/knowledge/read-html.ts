import { type AnyNode, type Document, isTag, isText } from 'domhandler';
import { DomUtils } from 'htmlparser2';
import type { Block } from './read-document';

const SKIPPED = new Set(['script', 'style', 'noscript', 'template', 'svg', 'head', 'nav', 'iframe', 'button', 'form']);
const BLOCKS = new Set([
  'p',
  'li',
  'dt',
  'dd',
  'blockquote',
  'td',
  'th',
  'figcaption',
  'caption',
  'summary',
  'address',
  'tr',
]);
/** Elements whose text is not run into its neighbours' (`<td>a</td><td>b</td>` reads "a b"). */
const SEPARATED = new Set([...BLOCKS, 'div', 'section', 'article', 'ul', 'ol', 'dl', 'table', 'pre']);

/**
 * The text a reader sees: what scripts, styles and the other skipped elements hold is not content,
 * wherever they are (inside a paragraph or a heading too).
 */
export function visibleText(nodes: readonly AnyNode[]): string {
  let text = '';
  for (const node of nodes) {
    if (isText(node)) text += node.data;
    else if (isTag(node) && !SKIPPED.has(node.name)) {
      const inner = visibleText(node.children);
      if (node.name === 'br') text += '\n';
      else text += SEPARATED.has(node.name) || /^h[1-6]$/.test(node.name) ? ` ${inner} ` : inner;
    }
  }
  return text;
}

/** Code as a fenced block, the fence longer than any run of backticks in it, so it cannot be closed early. */
export function fenced(code: string): string {
  const longest = Math.max(0, ...(code.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}\n${code}\n${fence}`;
}

/**
 * An HTML document's headings, `<pre>` blocks (whole, as fenced code) and text blocks in
 * document order; scripts, styles and navigation are not content.
 */
export function readHtmlBlocks(dom: Document): Block[] {
  const blocks: Block[] = [];
  let loose = '';
  const flush = () => {
    const text = loose.replace(/\s+/g, ' ').trim();
    if (text) blocks.push({ kind: 'text', text });
    loose = '';
  };
  const walk = (nodes: AnyNode[]) => {
    for (const node of nodes) {
      if (isText(node)) loose += node.data;
      if (!isTag(node) || SKIPPED.has(node.name)) continue;
      const text = () => visibleText(node.children).replace(/\s+/g, ' ').trim();
      const heading = /^h([1-6])$/.exec(node.name);
      if (heading) {
        flush();
        const id = DomUtils.getAttributeValue(node, 'id')?.trim();
        blocks.push({ kind: 'heading', depth: Number(heading[1]), text: text(), ...(id ? { id } : {}) });
      } else if (node.name === 'pre') {
        flush();
        const code = visibleText(node.children).replace(/^\n/, '').replace(/\n+$/, '');
        if (code.trim()) blocks.push({ kind: 'code', text: fenced(code) });
      } else if (BLOCKS.has(node.name)) {
        flush();
        loose = text();
        flush();
      } else if (node.name === 'br') loose += ' ';
      else walk(node.children);
    }
  };
  walk(dom.children);
  flush();
  return blocks;
}
