import fc from 'fast-check';
import { MAX_QUERY_WORDS, MAX_SOURCES, retrievePassages } from '../../functions/knowledge/retrieve';
import { searchPassages } from '../../functions/knowledge/search-index';
import { estimateTokens } from '../../functions/providers/model-provider';
import { loadedBase } from './knowledge-fixtures';

const DOCS = {
  'docs/keys.md': [
    '# Keys',
    'Every widget has a public key in its snippet.',
    '## Rotation',
    'Raise keyRotation in widgets.config.ts and apply to rotate the public key.',
    '## Grace period',
    'After a rotation, open sessions keep working for two hours; new sessions need the new key.',
  ].join('\n\n'),
  'docs/origins.md': [
    '# Origins',
    'allowedOrigins lists the websites that may embed the widget, like https://*.example.com.',
    '## Local development',
    'Allow http://localhost:3000 in the dev stack only.',
  ].join('\n\n'),
  'docs/limits.md': [
    '# Limits',
    'perMinute and perDay bound the messages of each widget.',
    '## Budget',
    'dailyBudgetUsd stops a widget for the day once its model cost reaches the budget.',
  ].join('\n\n'),
  'docs/deploy.md': '# Deploy\n\nRun pulumi up to deploy to AWS; npm start runs everything locally.',
};
const docs = loadedBase(DOCS);
const titlesFor = (question: string, options?: Parameters<typeof retrievePassages>[2]) =>
  retrievePassages([docs], question, options).map((p) => p.title);

describe('retrievePassages', () => {
  test.each([
    ['How do I rotate the public key?', 'Keys › Rotation'],
    ['how long do open sessions keep working after rotating', 'Keys › Grace period'],
    ['Which websites may embed the widget?', 'Origins'],
    ['can I use localhost while developing', 'Origins › Local development'],
    ['what happens when the daily budget is reached', 'Limits › Budget'],
    ['deploying to AWS', 'Deploy'],
  ])('%s → %s first', (question, title) => {
    expect(titlesFor(question)[0]).toBe(title);
  });

  test('a word in the heading path counts more than the same word in the text', () => {
    const base = loadedBase({
      'a.md': '# Guide\n\n## Webhooks\n\nSet them up in the settings page of your project.',
      'b.md': '# Notes\n\n## Misc\n\nWebhooks are one of the integrations, beside exports and imports.',
    });
    expect(retrievePassages([base], 'webhooks').map((p) => p.title)).toEqual(['Guide › Webhooks', 'Notes › Misc']);
  });

  test('the passages fit the token budget; one too big is skipped for a smaller one', () => {
    const base = loadedBase({
      'big.md': `# Keys\n\n${'The key rotation procedure in depth. '.repeat(30)}`,
      'small.md': '# Key notes\n\nRotate the key yearly.',
    });
    const all = retrievePassages([base], 'key rotation');
    expect(all.map((p) => p.path)).toEqual(['big.md', 'small.md']);

    const budget = estimateTokens(all[1]!.text) + 1;
    const within = retrievePassages([base], 'key rotation', { budget });

    expect(within.map((p) => p.path)).toEqual(['small.md']);
    expect(retrievePassages([base], 'key rotation', { budget: 1 })).toEqual([]);
  });

  test(`returns at most MAX_SOURCES (${MAX_SOURCES}) passages, or the limit given`, () => {
    const many = loadedBase(
      Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`n${i}.md`, `# Note ${i}\n\nwidget key ${i}`])),
    );
    expect(retrievePassages([many], 'widget key')).toHaveLength(MAX_SOURCES);
    expect(retrievePassages([many], 'widget key', { limit: 2 })).toHaveLength(2);
  });

  test('hits far below the best one are not returned (MIN_RELATIVE_SCORE)', () => {
    const base = loadedBase({
      'best.md': '# Grace period\n\nAfter a key rotation, sessions keep a grace period of two hours.',
      'weak.md': `# Other\n\n${'Unrelated words about themes and colours. '.repeat(20)}One sentence says session.`,
    });
    const question = 'grace period after key rotation sessions';
    const scores = searchPassages(base.index, question, 10).map((hit) => hit.score);
    expect(scores).toHaveLength(2);
    expect(scores[1]!).toBeLessThan(scores[0]! * 0.25); // the premise: the weak hit is far below

    expect(retrievePassages([base], question).map((p) => p.path)).toEqual(['best.md']);
  });

  test('hits from several bases come back together, each base searched', () => {
    const api = loadedBase({ 'api.md': '# API\n\n## Rotation endpoint\n\nPOST /keys/rotate rotates the key.' });
    const sources = retrievePassages([docs, api], 'rotation endpoint');
    expect(sources.map((s) => s.title)).toEqual(expect.arrayContaining(['API › Rotation endpoint', 'Keys › Rotation']));
  });

  test.each([
    ['an empty question', ''],
    ['only stop words', 'how do I do it?'],
    ['words found nowhere', 'zebra xylophone'],
  ])('%s finds nothing', (_name, question) => {
    expect(retrievePassages([docs], question)).toEqual([]);
  });

  test('no base finds nothing', () => {
    expect(retrievePassages([], 'rotate the key')).toEqual([]);
  });

  test('any question is answered without throwing, within budget and limit, best first', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (question) => {
        const found = retrievePassages([docs], question);
        expect(found.length).toBeLessThanOrEqual(MAX_SOURCES);
        expect(found.reduce((n, p) => n + estimateTokens(p.text), 0)).toBeLessThanOrEqual(1500);
        expect(new Set(found).size).toBe(found.length);
      }),
      { numRuns: 200 },
    );
  });
});

describe('a long question is searched by its first words', () => {
  const filler = Array.from({ length: MAX_QUERY_WORDS }, (_, i) => `zq${i.toString(36)}x`).join(' ');

  test('the first MAX_QUERY_WORDS distinct words that are not stop words count, the rest is not searched', () => {
    expect(titlesFor(`dailyBudgetUsd ${filler}`)[0]).toBe('Limits › Budget');
    expect(titlesFor(`${filler} dailyBudgetUsd`)).toEqual([]);
  });

  test('stop words and repeated words do not use up the allowance', () => {
    const padding = `${'the and of to '.repeat(50)}${'zqfoo ZQFOO '.repeat(100)}`;
    expect(titlesFor(`${padding} dailyBudgetUsd`)[0]).toBe('Limits › Budget');
  });
});
