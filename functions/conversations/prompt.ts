import { estimateTokens, type PromptTurn } from '../providers/model-provider';
import type { Turn } from '../sessions/session-record';

/** Tokens of earlier turns sent with each message (the system prompt and new text come on top). */
export const HISTORY_TOKEN_BUDGET = 3000;

export interface Prompt {
  system: string;
  turns: PromptTurn[];
}

/**
 * Builds the prompt on the server: the widget's system prompt, then the most recent stored
 * turns that fit the budget, then the visitor's text. Clients never supply system or
 * assistant turns; the history starts with a visitor turn, as chat APIs require.
 */
export function buildPrompt(
  systemPrompt: string,
  history: readonly Turn[],
  text: string,
  budget = HISTORY_TOKEN_BUDGET,
): Prompt {
  const recent: PromptTurn[] = [];
  let used = 0;
  for (let i = history.length - 1; i >= 0; i--) {
    const turn = history[i]!;
    used += estimateTokens(turn.text);
    if (used > budget) break;
    recent.unshift({ role: turn.role === 'visitor' ? 'user' : 'assistant', text: turn.text });
  }
  while (recent[0]?.role === 'assistant') recent.shift();
  // Two visitor turns in a row (a reply that failed) would break role alternation: merge them.
  const turns: PromptTurn[] = [];
  for (const turn of [...recent, { role: 'user' as const, text }]) {
    const last = turns.at(-1);
    if (last && last.role === turn.role) last.text = `${last.text}\n\n${turn.text}`;
    else turns.push({ ...turn });
  }
  return { system: systemPrompt, turns };
}
