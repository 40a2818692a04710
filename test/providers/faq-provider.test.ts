import { keywords } from '../../functions/knowledge/terms';
import { bestFaqAnswer, createFaqProvider, FAQ_FALLBACK } from '../../functions/providers/faq-provider';
import type { CompletionEvent, CompletionRequest } from '../../functions/providers/model-provider';

const FAQ = [
  { question: 'How do I rotate the key?', answer: 'Raise keyRotation and apply.' },
  { question: 'Which websites can embed the widget?', answer: 'Only the origins listed in allowedOrigins.' },
  { question: 'What are the limits?', answer: 'perMinute and perDay, plus an optional budget.' },
  { question: 'Where are conversations stored?', answer: 'In DynamoDB for retentionDays days.' },
];

describe('keywords', () => {
  test.each([
    ['the forms of one word meet', ['rotate', 'rotating', 'rotated', 'rotation', 'rotates']],
    ['plurals meet', ['key', 'keys']],
    ['limit', ['limit', 'limits', 'limited', 'limitation']],
    ['store', ['store', 'stored', 'storing', 'stores']],
    ['conversation', ['conversation', 'conversations']],
    ['-ies plurals meet their singular', ['cookie', 'cookies']],
    ['a final consonant + y meets its -ies plural', ['retry', 'retries']],
    ['policy', ['policy', 'policies']],
    ['case and accents do not matter', ['Clé', 'CLE', 'cle']],
  ])('%s: %j', (_name, words) => {
    const stems = words.map((word) => keywords(word));
    for (const stem of stems) expect(stem).toEqual(stems[0]);
    expect(stems[0]).toHaveLength(1);
  });

  test('stop words and punctuation are dropped', () => {
    expect(keywords('How do I... do what is the?!')).toEqual([]);
    expect(keywords('Where are my keys?')).toEqual(keywords('keys'));
  });

  test('one-letter terms (from "e.g." or "certificate\'s") are dropped', () => {
    expect(keywords("e.g. the certificate's fingerprint")).toEqual(keywords('certificate fingerprint'));
  });
});

describe('bestFaqAnswer', () => {
  test.each([
    ['the exact question', 'How do I rotate the key?', FAQ[0]!.answer],
    ['another form of its words', 'rotation?', FAQ[0]!.answer],
    ['a paraphrase with plurals', 'what limits are there', FAQ[2]!.answer],
    ['shouting and punctuation', 'WHERE ARE CONVERSATIONS STORED???', FAQ[3]!.answer],
    ['a word found only in an answer (half weight)', 'dynamodb', FAQ[3]!.answer],
    ['a question word beating an answer word', 'origins of the widget', FAQ[1]!.answer],
  ])('%s picks the matching answer', (_name, text, answer) => {
    expect(bestFaqAnswer(FAQ, text)).toBe(answer);
  });

  test.each([
    ['an unrelated question', 'Do you sell shoes?'],
    ['only stop words', 'how do I do it?'],
    ['an empty text', ''],
  ])('%s matches nothing', (_name, text) => {
    expect(bestFaqAnswer(FAQ, text)).toBeUndefined();
  });

  test('a tie goes to the first entry, whatever the order of the words', () => {
    const tied = [
      { question: 'alpha', answer: 'first' },
      { question: 'beta', answer: 'second' },
    ];
    expect(bestFaqAnswer(tied, 'alpha beta')).toBe('first');
    expect(bestFaqAnswer(tied, 'beta alpha')).toBe('first');
  });

  test('an empty FAQ matches nothing', () => {
    expect(bestFaqAnswer([], 'rotate the key')).toBeUndefined();
  });
});

describe('the faq provider', () => {
  const request = (text: string, signal = new AbortController().signal): CompletionRequest => ({
    system: 'You are helpful.',
    turns: [{ role: 'user', text }],
    maxOutputTokens: 100,
    signal,
  });
  async function collect(events: AsyncIterable<CompletionEvent>) {
    const all: CompletionEvent[] = [];
    for await (const event of events) all.push(event);
    return all;
  }

  test('streams the best answer word by word, then its token usage', async () => {
    const events = await collect(createFaqProvider({ faq: FAQ }).complete(request('rotating keys?')));

    expect(events).toEqual([
      { type: 'delta', text: 'Raise ' },
      { type: 'delta', text: 'keyRotation ' },
      { type: 'delta', text: 'and ' },
      { type: 'delta', text: 'apply.' },
      {
        type: 'usage',
        inputTokens: Math.ceil(('You are helpful.'.length + 'rotating keys?'.length) / 4),
        outputTokens: 7,
      },
    ]);
  });

  test('answers the clear fallback when nothing matches', async () => {
    const events = await collect(createFaqProvider({ faq: FAQ }).complete(request('Do you sell shoes?')));
    const text = events.flatMap((e) => (e.type === 'delta' ? [e.text] : [])).join('');
    expect(text).toBe(FAQ_FALLBACK);
  });

  test('is deterministic: the same question gives the same events', async () => {
    const provider = createFaqProvider({ faq: FAQ });
    expect(await collect(provider.complete(request('where are conversations stored')))).toEqual(
      await collect(provider.complete(request('where are conversations stored'))),
    );
  });

  test('answers the last turn, not earlier ones', async () => {
    const events = await collect(
      createFaqProvider({ faq: FAQ }).complete({
        ...request('what are the limits'),
        turns: [
          { role: 'user', text: 'rotate the key' },
          { role: 'assistant', text: 'Raise keyRotation and apply.' },
          { role: 'user', text: 'what are the limits' },
        ],
      }),
    );
    expect(events[0]).toEqual({ type: 'delta', text: 'perMinute ' });
  });

  test('an abort while pacing stops the stream with the abort reason', async () => {
    const abort = new AbortController();
    const stream = createFaqProvider({ faq: FAQ, streamDelayMs: 1000 }).complete(request('rotate', abort.signal));
    const seen: CompletionEvent[] = [];
    const run = (async () => {
      for await (const event of stream) {
        seen.push(event);
        abort.abort(new Error('visitor left'));
      }
    })();

    await expect(run).rejects.toThrow('visitor left');
    expect(seen).toHaveLength(1);
  });
});
