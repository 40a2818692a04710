import { estimateTokens } from '../providers/model-provider';
import type { LoadedKnowledge } from './artifact';
import type { Passage } from './passage';
import { searchPassages } from './search-index';
import { tokenize, wordTerms } from './terms';

/** Tokens of passages a prompt carries (on top of the history budget). */
export const SOURCES_TOKEN_BUDGET = 1500;
export const MAX_SOURCES = 5;
/**
 * Words of a question searched: each costs prefix and fuzzy lookups, and retrieval runs before
 * the message is admitted, so a 4,000-character question must not cost more than a long one.
 */
export const MAX_QUERY_WORDS = 32;
/** Hits far below the best one are noise that would be cited. */
const MIN_RELATIVE_SCORE = 0.25;

/**
 * The passages that best answer `question` across a widget's bases, most relevant first, as many
 * as fit the token budget (a passage that does not fit is skipped for a smaller one).
 */
export function retrievePassages(
  bases: readonly LoadedKnowledge[],
  question: string,
  { budget = SOURCES_TOKEN_BUDGET, limit = MAX_SOURCES } = {},
): Passage[] {
  const searched = tokenize(question).filter((w) => wordTerms(w).length > 0);
  const words = [...new Map(searched.map((w) => [w.toLowerCase(), w])).values()];
  const query = words.slice(0, MAX_QUERY_WORDS).join(' ');
  const hits = bases
    .flatMap((base) => searchPassages(base.index, query, limit * 2).map((hit) => ({ ...hit, base })))
    .sort((a, b) => b.score - a.score);
  const best = hits[0]?.score ?? 0;
  const chosen: Passage[] = [];
  let used = 0;
  for (const hit of hits) {
    if (chosen.length === limit || hit.score < best * MIN_RELATIVE_SCORE) break;
    const passage = hit.base.passages[hit.id];
    if (!passage) continue;
    const tokens = estimateTokens(passage.text);
    if (used + tokens > budget) continue;
    used += tokens;
    chosen.push(passage);
  }
  return chosen;
}
