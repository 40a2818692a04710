import { type ChildNode, type Document, isTag, isText } from 'domhandler';
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
  const walk = (nodes: ChildNode[]) => {
    for (const node of nodes) {
      if (isText(node)) loose += node.data;
      if (!isTag(node) || SKIPPED.has(node.name)) continue;
      const text = () => DomUtils.textContent(node).replace(/\s+/g, ' ').trim();
      const heading = /^h([1-6])$/.exec(node.name);
      if (heading) {
        flush();
        blocks.push({ kind: 'heading', depth: Number(heading[1]), text: text() });
      } else if (node.name === 'pre') {
        flush();
        const code = DomUtils.textContent(node).replace(/\n+$/, '');
        if (code.trim()) blocks.push({ kind: 'code', text: `\`\`\`\n${code.replace(/```/g, '` ``')}\n\`\`\`` });
      } else if (BLOCKS.has(node.name)) {
        flush();
        loose = text();
        flush();
      } else walk(node.children);
    }
  };
  walk(dom.children);
  flush();
  return blocks;
}
