/**
 * The markdown subset answers may use: paragraphs, bold, italic, inline code, code blocks,
 * lists and http(s) links. Parsing yields plain objects and rendering builds DOM nodes with
 * `textContent`, so model output never reaches an HTML parser.
 */
export type Inline =
  | string
  | { t: 'strong' | 'em'; c: Inline[] }
  | { t: 'code'; text: string }
  | { t: 'a'; href: string; c: Inline[] };
export type ListBlock = { t: 'ul' | 'ol'; items: Inline[][] };
export type Block = { t: 'p' | 'h'; c: Inline[] } | { t: 'pre'; text: string } | ListBlock;

// Earliest of: `code`, **bold**, *italic*, _italic_ (not inside words), [label](url).
const INLINE =
  /`([^`\n]+)`|\*\*(?!\s)(.+?)\*\*|\*(?![\s*])(.+?)\*|(?<!\w)_(?![\s_])(.+?)_(?!\w)|\[([^\]\n]+)\]\(([^()\s]+)\)/;
const FENCE = /^\s*```/;
const LIST_ITEM = /^\s*(?:([-*+])|\d{1,9}[.)])\s+(.*)$/;
const HEADING = /^\s*#{1,6}\s+(.*)$/;

/** The URL when it is absolute http(s), else undefined (`javascript:`, `data:`, relative...). */
export function safeLinkUrl(href: string): string | undefined {
  try {
    const url = new URL(href);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  let rest = text;
  for (let m = INLINE.exec(rest); m; m = INLINE.exec(rest)) {
    if (m.index) out.push(rest.slice(0, m.index));
    const [whole, code, strong, star, underscore, label, href] = m;
    const emphasis = star ?? underscore;
    if (code !== undefined) out.push({ t: 'code', text: code });
    else if (strong !== undefined) out.push({ t: 'strong', c: parseInline(strong) });
    else if (emphasis !== undefined) out.push({ t: 'em', c: parseInline(emphasis) });
    else {
      const url = safeLinkUrl(href!);
      out.push(...(url ? [{ t: 'a' as const, href: url, c: parseInline(label!) }] : parseInline(label!)));
    }
    rest = rest.slice(m.index + whole.length);
  }
  if (rest) out.push(rest);
  return out;
}

export function parseMarkdown(text: string): Block[] {
  const blocks: Block[] = [];
  const lines = text.split(/\r?\n/);
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length) blocks.push({ t: 'p', c: parseInline(paragraph.join('\n')) });
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const item = LIST_ITEM.exec(line);
    const heading = HEADING.exec(line);
    if (FENCE.test(line)) {
      flush();
      const code: string[] = [];
      while (++i < lines.length && !FENCE.test(lines[i]!)) code.push(lines[i]!);
      blocks.push({ t: 'pre', text: code.join('\n') });
    } else if (item) {
      flush();
      const t = item[1] ? 'ul' : 'ol';
      const last = blocks[blocks.length - 1];
      const list: ListBlock = last?.t === t ? (last as ListBlock) : { t, items: [] };
      if (list !== last) blocks.push(list);
      list.items.push(parseInline(item[2]!));
    } else if (heading) {
      flush();
      blocks.push({ t: 'h', c: parseInline(heading[1]!) });
    } else if (line.trim()) paragraph.push(line);
    else flush();
  }
  flush();
  return blocks;
}

function appendInline(parent: Node, nodes: Inline[]): void {
  for (const node of nodes) {
    if (typeof node === 'string') parent.appendChild(document.createTextNode(node));
    else if (node.t === 'code') parent.appendChild(document.createElement('code')).textContent = node.text;
    else {
      const element = parent.appendChild(document.createElement(node.t));
      if (node.t === 'a') {
        const link = element as HTMLAnchorElement;
        link.href = node.href;
        link.rel = 'noopener noreferrer';
        link.target = '_blank';
      }
      appendInline(element, node.c);
    }
  }
}

/** Answer text → DOM, through {@link parseMarkdown}. */
export function renderMarkdown(text: string): DocumentFragment {
  const fragment = document.createDocumentFragment();
  for (const block of parseMarkdown(text)) {
    if (block.t === 'pre') {
      fragment.appendChild(document.createElement('pre')).appendChild(document.createElement('code')).textContent =
        block.text;
    } else if (block.t === 'ul' || block.t === 'ol') {
      const list = fragment.appendChild(document.createElement(block.t));
      for (const item of block.items) appendInline(list.appendChild(document.createElement('li')), item);
    } else if (block.t === 'p' || block.t === 'h') {
      const paragraph = fragment.appendChild(document.createElement('p'));
      if (block.t === 'h') appendInline(paragraph.appendChild(document.createElement('strong')), block.c);
      else appendInline(paragraph, block.c);
    }
  }
  return fragment;
}
