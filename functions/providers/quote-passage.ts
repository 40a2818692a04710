/** About a short paragraph: the faq provider's quotes stay readable in a chat bubble. */
export const MAX_QUOTE_CHARS = 700;

/**
 * A passage trimmed for quoting: whole when short; else cut at the last paragraph end (else
 * sentence end, else word) before the limit, never inside a code block, and marked with "…".
 */
export function quotePassage(text: string, max = MAX_QUOTE_CHARS): string {
  const trimmed = text.trim();
  if (trimmed.length <= max) return trimmed;
  let cut = lastBoundary(trimmed, max);
  // The cut falls in a code block: stop before it, or keep it whole when it opens the passage.
  const block = codeBlocks(trimmed).find(({ start, end }) => start < cut && cut < end);
  if (block) cut = block.start > 0 ? block.start : block.end;
  const quote = trimmed.slice(0, cut).trimEnd();
  return cut >= trimmed.length ? quote : `${quote} …`;
}

function lastBoundary(text: string, max: number): number {
  const head = text.slice(0, max);
  const paragraph = head.lastIndexOf('\n\n');
  if (paragraph > max / 3) return paragraph;
  const sentence = Math.max(...['. ', '! ', '? ', '.\n'].map((end) => head.lastIndexOf(end)));
  if (sentence > max / 3) return sentence + 1;
  const word = head.lastIndexOf(' ');
  return word > 0 ? word : max;
}

/**
 * The fenced code blocks of a Markdown text, as offsets: a fence is a line of 3+ backticks or
 * tildes (indented at most 3 spaces), closed by a line of the same character at least as long
 * (so ```` holds ``` lines); an unclosed block runs to the end.
 */
function codeBlocks(text: string): { start: number; end: number }[] {
  const blocks: { start: number; end: number }[] = [];
  let open: { start: number; char: string; length: number } | undefined;
  let offset = 0;
  for (const line of text.split('\n')) {
    const fence = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
    if (fence) {
      const [run, rest] = [fence[1]!, fence[2]!];
      if (!open) {
        // A backtick fence's info string has no backtick (else it is inline code).
        if (run[0] === '~' || !rest.includes('`')) open = { start: offset, char: run[0]!, length: run.length };
      } else if (run[0] === open.char && run.length >= open.length && rest.trim() === '') {
        blocks.push({ start: open.start, end: offset + line.length });
        open = undefined;
      }
    }
    offset += line.length + 1;
  }
  if (open) blocks.push({ start: open.start, end: text.length });
  return blocks;
}
