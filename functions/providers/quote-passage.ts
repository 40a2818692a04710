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
  const fences = [...trimmed.slice(0, cut).matchAll(/^\s*(```|~~~)/gm)];
  if (fences.length % 2 === 1) {
    // The cut falls in a code block: stop before it, or keep it whole when it opens the passage.
    const opening = fences.at(-1)!.index!;
    const closing = trimmed.indexOf(fences.at(-1)![1]!, opening + 3);
    cut = opening > 0 ? opening : closing < 0 ? trimmed.length : closing + 3;
  }
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
