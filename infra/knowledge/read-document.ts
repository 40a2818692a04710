import { basename, extname } from 'node:path';
import { DomUtils, parseDocument } from 'htmlparser2';
import { lexer, type Token, type Tokens } from 'marked';
import { parse as parseYaml } from 'yaml';
import { readHtmlBlocks } from './read-html';

/** A document as the splitter sees it: headings, code blocks (whole) and text, in order. */
export type Block = { kind: 'heading'; depth: number; text: string } | { kind: 'code' | 'text'; text: string };

export interface KnowledgeDocument {
  /** Front matter `title`, else the first top heading, else the file name. */
  title: string;
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
  const { title, body } = frontMatter(text);
  const markdown = type === '.mdx' ? withoutMdxStatements(body) : body;
  return withTitle(title, markdownBlocks(lexer(markdown)), fallback);
}

// A first top heading is the document's title when front matter gave none; said once, not twice.
function withTitle(title: string, blocks: Block[], fallback: string): KnowledgeDocument {
  const first = blocks.findIndex((b) => b.kind === 'heading');
  const top = first >= 0 ? (blocks[first] as Extract<Block, { kind: 'heading' }>) : undefined;
  if (top?.depth === 1 && (title === '' || top.text === title)) {
    return { title: top.text, blocks: blocks.filter((_, i) => i !== first) };
  }
  return { title: title || fallback, blocks };
}

function frontMatter(text: string): { title: string; body: string } {
  const match = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(text);
  if (!match) return { title: '', body: text };
  let data: unknown;
  try {
    data = parseYaml(match[1]!);
  } catch {
    return { title: '', body: text }; // not YAML after all: the block is just text
  }
  const title = (data as { title?: unknown } | null)?.title;
  return { title: typeof title === 'string' ? title.trim() : '', body: text.slice(match[0].length) };
}

// MDX's import/export lines are code for the site, not content.
const withoutMdxStatements = (text: string) => text.replace(/^(?:import|export)\s[^\n]*(?:\n|$)/gm, '');

function markdownBlocks(tokens: Token[]): Block[] {
  const blocks: Block[] = [];
  for (const token of tokens) {
    if (token.type === 'heading') {
      blocks.push({ kind: 'heading', depth: (token as Tokens.Heading).depth, text: inlineText(token).trim() });
    } else if (token.type === 'code') blocks.push({ kind: 'code', text: token.raw.trim() });
    else if (token.type === 'html') {
      const text = DomUtils.textContent(parseDocument(token.raw)).trim();
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
