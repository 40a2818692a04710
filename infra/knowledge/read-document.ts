import { basename, extname } from 'node:path';
import { DomUtils, parseDocument } from 'htmlparser2';
import { lexer, type Token, type Tokens } from 'marked';
import { parse as parseYaml } from 'yaml';
import { fenced, readHtmlBlocks, visibleText } from './read-html';

/**
 * A document as the splitter sees it: headings, code blocks (whole) and text, in order. A heading's
 * `id` is the anchor an HTML page gives it itself.
 */
export type Block =
  | { kind: 'heading'; depth: number; text: string; id?: string }
  | { kind: 'code' | 'text'; text: string };

export interface KnowledgeDocument {
  /** Front matter `title`, else the first top heading, else the file name. */
  title: string;
  /** The top heading that became the title: the page still shows it, so it takes its anchor first. */
  titleHeading?: string;
  blocks: Block[];
}

export const DOCUMENT_TYPES = ['.md', '.markdown', '.mdx', '.txt', '.text', '.html', '.htm'];

/** Reads one file's text by its extension (Markdown with front matter, MDX, HTML, plain text). */
export function readDocument(path: string, text: string): KnowledgeDocument {
  const type = extname(path).toLowerCase();
  const fallback = basename(path, extname(path));
  if (type === '.html' || type === '.htm') {
    const dom = parseDocument(text);
    const title = DomUtils.textContent(DomUtils.getElementsByTagName('title', dom, true, 1)).trim();
    return withTitle(title, readHtmlBlocks(dom), fallback);
  }
  if (type === '.txt' || type === '.text') {
    const blocks = text
      .split(/\n\s*\n/)
      .map((p) => p.trim())
      .filter(Boolean);
    return { title: fallback, blocks: blocks.map((p) => ({ kind: 'text', text: p })) };
  }
  const { title, body, leading } = frontMatter(text);
  const tokens = lexer(body);
  const blocks = markdownBlocks(type === '.mdx' ? tokens.filter((t) => !isMdxStatement(t)) : tokens);
  return withTitle(title, leading ? [{ kind: 'text', text: leading }, ...blocks] : blocks, fallback);
}

// A first top heading is the document's title when front matter gave none; said once, not twice.
function withTitle(title: string, blocks: Block[], fallback: string): KnowledgeDocument {
  const first = blocks.findIndex((b) => b.kind === 'heading');
  const top = first >= 0 ? (blocks[first] as Extract<Block, { kind: 'heading' }>) : undefined;
  if (top?.depth === 1 && (title === '' || top.text === title)) {
    return { title: top.text, titleHeading: top.text, blocks: blocks.filter((_, i) => i !== first) };
  }
  return { title: title || fallback, blocks };
}

// `leading`: a block that looked like front matter but is not YAML, kept as the text it is.
function frontMatter(text: string): { title: string; body: string; leading?: string } {
  const match = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(text);
  if (!match) return { title: '', body: text };
  let data: unknown;
  try {
    data = parseYaml(match[1]!);
  } catch {
    return { title: '', body: text.slice(match[0].length), leading: match[1]!.trim() };
  }
  const title = (data as { title?: unknown } | null)?.title;
  return { title: typeof title === 'string' ? title.trim() : '', body: text.slice(match[0].length) };
}

// MDX's import/export statements are code for the site, not content: top-level blocks starting with
// the keyword (they may span lines); the same words inside a code block are the code's.
const isMdxStatement = (token: Token) => token.type === 'paragraph' && /^(?:import|export)\s/.test(token.raw);

function markdownBlocks(tokens: Token[]): Block[] {
  const blocks: Block[] = [];
  for (const token of tokens) {
    if (token.type === 'heading') {
      blocks.push({ kind: 'heading', depth: (token as Tokens.Heading).depth, text: inlineText(token).trim() });
    } else if (token.type === 'code') {
      // An indented block becomes a fenced one: trimmed, it would lose its first line's indentation.
      const { codeBlockStyle, text } = token as Tokens.Code;
      blocks.push({
        kind: 'code',
        text: codeBlockStyle === 'indented' ? fenced(text.replace(/\n+$/, '')) : token.raw.trim(),
      });
    } else if (token.type === 'html') {
      const text = visibleText(parseDocument(token.raw).children).replace(/\s+/g, ' ').trim();
      if (text) blocks.push({ kind: 'text', text });
    } else if (token.type !== 'space' && token.type !== 'hr' && token.type !== 'def') {
      const text = token.raw.trim();
      if (text) blocks.push({ kind: 'text', text });
    }
  }
  return blocks;
}

// The words of a heading without its markup: "`npm start` and [links](x)" → "npm start and links".
function inlineText(token: Token): string {
  const children = (token as { tokens?: Token[] }).tokens;
  if (children?.length) return children.map(inlineText).join('');
  return decodeEntities((token as { text?: string }).text ?? '');
}

const decodeEntities = (text: string) => DomUtils.textContent(parseDocument(text));
