import GithubSlugger from 'github-slugger';
import type { Block, KnowledgeDocument } from './read-document';

/** About 375 tokens: a passage answers one thing and several fit a prompt. */
export const MAX_PASSAGE_CHARS = 1500;
const TITLE_SEPARATOR = ' › ';

export interface SplitPassage {
  title: string;
  /** The GitHub-style anchor of the section's heading ('' for text before any heading). */
  anchor: string;
  text: string;
}

/**
 * Splits a document along its headings: each section becomes passages titled by its heading path
 * (`Guide › Install › Linux`), cut between blocks to stay within MAX_PASSAGE_CHARS; a code block
 * is never cut (it may make a passage longer), a long paragraph is cut between sentences.
 */
export function splitPassages(document: KnowledgeDocument): SplitPassage[] {
  const slugger = new GithubSlugger();
  const passages: SplitPassage[] = [];
  const path: string[] = [];
  let section = { title: document.title, anchor: '' };
  let pieces: string[] = [];
  if (document.titleHeading !== undefined) slugger.slug(document.titleHeading);
  const flush = () => {
    for (const text of pack(pieces)) passages.push({ ...section, text });
    pieces = [];
  };
  for (const block of document.blocks) {
    if (block.kind === 'heading') {
      flush();
      path.length = Math.max(0, Math.min(path.length, block.depth - 1));
      path[block.depth - 1] = block.text;
      const headings = path.filter(Boolean);
      section = {
        title: [document.title, ...headings].join(TITLE_SEPARATOR),
        anchor: block.id ?? slugger.slug(block.text),
      };
    } else pieces.push(...piecesOf(block));
  }
  flush();
  return passages;
}

/** A block as pieces no longer than the bound, except a code block, which stays whole. */
function piecesOf(block: Exclude<Block, { kind: 'heading' }>): string[] {
  if (block.kind === 'code' || block.text.length <= MAX_PASSAGE_CHARS) return [block.text];
  // Every character is in some sentence: leading or lone punctuation ("...") is kept too.
  const sentences = block.text.match(/[^.!?。！？\n]*(?:[.!?。！？]+|\n+)\s*|[^.!?。！？\n]+$/g) ?? [block.text];
  return pack(
    sentences.flatMap((s) => (s.length > MAX_PASSAGE_CHARS ? hardCut(s) : [s])),
    '',
  );
}

// Cut at the bound, a unit earlier where that would split a character's surrogate pair.
function hardCut(text: string): string[] {
  const parts: string[] = [];
  for (let start = 0; start < text.length; ) {
    let end = Math.min(text.length, start + MAX_PASSAGE_CHARS);
    if (end < text.length && /[\uD800-\uDBFF]/.test(text[end - 1]!)) end -= 1;
    parts.push(text.slice(start, end));
    start = end;
  }
  return parts;
}

/** Joins pieces greedily into texts within the bound (a piece over it stands alone). */
function pack(pieces: readonly string[], joiner = '\n\n'): string[] {
  const texts: string[] = [];
  let current = '';
  for (const piece of pieces) {
    const next = current === '' ? piece : `${current}${joiner}${piece}`;
    if (current !== '' && next.length > MAX_PASSAGE_CHARS) {
      texts.push(current);
      current = piece;
    } else current = next;
  }
  if (current !== '') texts.push(current);
  return texts.map((t) => t.trim()).filter(Boolean);
}

/** A source's link from the base's template: `{path}`, `{slug}` (no extension), `{anchor}`. */
export function sourceUrl(template: string | undefined, path: string, anchor: string): string | undefined {
  if (template === undefined) return undefined;
  const slug = path.replace(/\.[^./]+$/, '');
  const values: Record<string, string> = { path, slug, anchor };
  const url = template.replace(/\{(\w+)\}/g, (_, name: string) =>
    (values[name] ?? '').split('/').map(encodeURIComponent).join('/'),
  );
  return url.replace(/#$/, ''); // a document's opening text has no anchor
}
