import { keywords } from '../knowledge/terms';
import { type CompletionEvent, type CompletionRequest, estimateTokens, type ModelProvider } from './model-provider';
import { quotePassage } from './quote-passage';

export interface FaqEntry {
  question: string;
  answer: string;
}

export const FAQ_FALLBACK =
  "Sorry, I don't have an answer to that yet. Try one of the suggested questions, or rephrase yours.";

/**
 * The entry whose question shares the most keywords with the visitor's text (answer words count
 * half), with the share of the text's keywords it covers; undefined when nothing matches.
 * Deterministic: ties go to the first entry.
 */
export function bestFaqMatch(faq: readonly FaqEntry[], text: string): { answer: string; coverage: number } | undefined {
  const wanted = new Set(keywords(text));
  let best: { score: number; answer: string } | undefined;
  for (const entry of faq) {
    const question = new Set(keywords(entry.question));
    const answer = new Set(keywords(entry.answer));
    let score = 0;
    for (const word of wanted) score += question.has(word) ? 1 : answer.has(word) ? 0.5 : 0;
    if (score > 0 && (!best || score > best.score)) best = { score, answer: entry.answer };
  }
  return best && { answer: best.answer, coverage: best.score / wanted.size };
}

export const bestFaqAnswer = (faq: readonly FaqEntry[], text: string) => bestFaqMatch(faq, text)?.answer;

/** With documents to quote, a Q&A pair must cover half the question to win over the best passage. */
const FAQ_COVERAGE_OVER_DOCUMENTS = 0.5;

const pause = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });

/**
 * The embedded default model: no network, answers from the widget's declared Q&A pairs or else
 * quotes the best retrieved passage (citing it), and streams the answer word by word.
 */
export function createFaqProvider({
  faq,
  streamDelayMs = 0,
}: {
  faq: readonly FaqEntry[];
  streamDelayMs?: number;
}): ModelProvider {
  return {
    async *complete({ system, turns, signal, sources = [] }: CompletionRequest): AsyncIterable<CompletionEvent> {
      const question = turns.at(-1)?.text ?? '';
      const match = bestFaqMatch(faq, question);
      const quoted = sources[0] && (!match || match.coverage < FAQ_COVERAGE_OVER_DOCUMENTS) ? sources[0] : undefined;
      const answer = quoted ? quotePassage(quoted.text) : (match?.answer ?? FAQ_FALLBACK);
      if (sources.length > 0) yield { type: 'cited', indexes: quoted ? [0] : [] };
      const words = answer.match(/\S+\s*/g) ?? [];
      for (const [i, word] of words.entries()) {
        if (signal.aborted) throw signal.reason;
        if (streamDelayMs > 0 && i > 0) await pause(streamDelayMs, signal);
        yield { type: 'delta', text: word };
      }
      const input = system.length + turns.reduce((n, t) => n + t.text.length, 0);
      yield { type: 'usage', inputTokens: Math.ceil(input / 4), outputTokens: estimateTokens(answer) };
    },
  };
}
