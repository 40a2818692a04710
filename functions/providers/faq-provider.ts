import { type CompletionEvent, type CompletionRequest, estimateTokens, type ModelProvider } from './model-provider';

export interface FaqEntry {
  question: string;
  answer: string;
}

export const FAQ_FALLBACK =
  "Sorry, I don't have an answer to that yet. Try one of the suggested questions, or rephrase yours.";

const STOP_WORDS = new Set(
  (
    'a an and are as at be can could do does did for from how i if in is it me my of on or our please ' +
    'the this to was what when where which who why will with would you your'
  ).split(' '),
);

/** Lower-cased word stems without stop words: "Rotating keys?" → ["rot", "key"]. */
export function keywords(text: string): string[] {
  return (
    text
      .toLowerCase()
      .normalize('NFKD')
      .match(/[\p{L}\p{N}]+/gu) ?? []
  )
    .filter((word) => !STOP_WORDS.has(word))
    .map(stem);
}

// A light suffix stripper: enough for "rotate/rotating/rotated/rotation" to meet.
function stem(word: string): string {
  for (const suffix of [
    'ations',
    'ation',
    'ating',
    'ated',
    'ates',
    'ate',
    'ings',
    'ing',
    'ies',
    'ed',
    'es',
    's',
    'e',
  ]) {
    if (word.length > suffix.length + 2 && word.endsWith(suffix)) return word.slice(0, -suffix.length);
  }
  return word;
}

/**
 * The answer whose question shares the most keywords with the visitor's text (answer words
 * count half), or undefined when nothing matches. Deterministic: ties go to the first entry.
 */
export function bestFaqAnswer(faq: readonly FaqEntry[], text: string): string | undefined {
  const wanted = new Set(keywords(text));
  let best: { score: number; answer: string } | undefined;
  for (const entry of faq) {
    const question = new Set(keywords(entry.question));
    const answer = new Set(keywords(entry.answer));
    let score = 0;
    for (const word of wanted) score += question.has(word) ? 1 : answer.has(word) ? 0.5 : 0;
    if (score > 0 && (!best || score > best.score)) best = { score, answer: entry.answer };
  }
  return best?.answer;
}

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
 * The embedded default model: no network, answers from the widget's declared Q&A pairs and
 * streams the answer word by word.
 */
export function createFaqProvider({
  faq,
  streamDelayMs = 0,
}: {
  faq: readonly FaqEntry[];
  streamDelayMs?: number;
}): ModelProvider {
  return {
    async *complete({ system, turns, signal }: CompletionRequest): AsyncIterable<CompletionEvent> {
      const question = turns.at(-1)?.text ?? '';
      const answer = bestFaqAnswer(faq, question) ?? FAQ_FALLBACK;
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
