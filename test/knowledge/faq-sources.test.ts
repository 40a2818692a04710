import type { Passage } from '../../functions/knowledge/passage';
import { createFaqProvider, FAQ_FALLBACK } from '../../functions/providers/faq-provider';
import type { CompletionEvent } from '../../functions/providers/model-provider';
import { quotePassage } from '../../functions/providers/quote-passage';
import { collect } from '../providers/collect-events';

// The faq provider with retrieved passages: a Q&A pair or a quote, and which source it cited.
const FAQ = [
  { question: 'How do I rotate the key?', answer: 'Raise keyRotation and apply.' },
  { question: 'Which websites can embed the widget?', answer: 'Only the origins in allowedOrigins.' },
];
const SOURCES: Passage[] = [
  { title: 'Limits › Budget', path: 'docs/limits.md', text: 'dailyBudgetUsd stops the widget for the day.' },
  { title: 'Limits', path: 'docs/limits.md', text: 'perMinute and perDay bound messages.' },
];

async function answer(question: string, sources: readonly Passage[] = SOURCES) {
  const { seen, error } = await collect(
    createFaqProvider({ faq: FAQ }).complete({
      system: 'You are helpful.',
      turns: [{ role: 'user', text: question }],
      maxOutputTokens: 200,
      signal: new AbortController().signal,
      sources,
    }),
  );
  if (error) throw error;
  const text = seen.flatMap((e) => (e.type === 'delta' ? [e.text] : [])).join('');
  const cited = seen.filter((e): e is Extract<CompletionEvent, { type: 'cited' }> => e.type === 'cited');
  return { seen, text, cited };
}

describe('the faq provider with sources', () => {
  test('a Q&A pair that covers the question wins over the passages, and cites none', async () => {
    const { text, cited, seen } = await answer('How do I rotate the key?');

    expect(text).toBe('Raise keyRotation and apply.');
    expect(cited).toEqual([{ type: 'cited', indexes: [] }]);
    expect(seen[0]).toEqual({ type: 'cited', indexes: [] });
  });

  test('without a matching pair, the best passage is quoted and cited as source 0', async () => {
    const { text, cited } = await answer('what does dailyBudgetUsd do');

    expect(text).toBe(SOURCES[0]!.text);
    expect(cited).toEqual([{ type: 'cited', indexes: [0] }]);
  });

  test('a pair covering less than half of the question loses to the passage', async () => {
    // "key" matches the first pair, but "budget", "daily" and "stop" do not: a quarter of the question.
    const { text, cited } = await answer('daily budget key stop');

    expect(text).toBe(SOURCES[0]!.text);
    expect(cited[0]!.indexes).toEqual([0]);
  });

  test('a long passage is quoted cut, with the marker', async () => {
    const long = `${'The budget is checked before each message. '.repeat(30)}`;
    const { text } = await answer('budget', [{ title: 'Budget', path: 'b.md', text: long }]);

    expect(text).toBe(quotePassage(long));
    expect(text.endsWith(' …')).toBe(true);
  });

  test('a quoted code block streams whole, its line breaks kept', async () => {
    const code = '```sh\nnpm ci\nnpm start\n```';
    const { text } = await answer('start', [{ title: 'Start', path: 's.md', text: code }]);
    expect(text).toBe(code);
  });

  test('the events are: cited, then the words, then usage', async () => {
    const { seen } = await answer('what does dailyBudgetUsd do');
    expect(seen.map((e) => e.type)).toEqual(['cited', ...Array(7).fill('delta'), 'usage']);
  });

  test('without sources there is no cited event: a pair, or the fallback', async () => {
    expect((await answer('How do I rotate the key?', [])).cited).toEqual([]);
    const unmatched = await answer('what does dailyBudgetUsd do', []);
    expect([unmatched.text, unmatched.cited]).toEqual([FAQ_FALLBACK, []]);
  });

  test('with sources, even a question no pair matches gets the quote, never the fallback', async () => {
    const { text } = await answer('zebra');
    expect(text).not.toBe(FAQ_FALLBACK);
    expect(text).toBe(SOURCES[0]!.text);
  });
});
