import { validateConfig } from '../../infra/config/load';
import { bot, type InvalidConfig, problemsOf, type Raw, refusesEach, validConfig } from './config-problems';

// Knowledge bases in the config as zod sees them; the files they match are in knowledge-files.test.ts.
type WithKnowledge = Raw & { knowledge?: Record<string, unknown> };

/** Declares the base `docs` (and any others given) on the valid config. */
const declare = (c: Raw, bases: Record<string, unknown> = {}) => {
  (c as WithKnowledge).knowledge = { docs: { include: ['docs/**/*.md'] }, ...bases };
  return (c as WithKnowledge).knowledge!;
};
const docs = (c: Raw) => declare(c).docs as Record<string, unknown>;
const urlProblem = 'must be an http(s) URL template, e.g. https://docs.example.com/{slug}';

const invalidConfigs: InvalidConfig[] = [
  [
    'a base name that is not a slug',
    (c) => declare(c, { 'My Docs': { include: ['a.md'] } }),
    ['knowledge.My Docs: knowledge base name must be a lower-case slug (a-z, 0-9, -), e.g. docs'],
  ],
  [
    'a base name with a trailing dash',
    (c) => declare(c, { 'docs-': { include: ['a.md'] } }),
    ['knowledge.docs-: knowledge base name must be a lower-case slug (a-z, 0-9, -), e.g. docs'],
  ],
  ['an empty include', (c) => (docs(c).include = []), ['knowledge.docs.include: must have at least 1 item']],
  ['an empty glob', (c) => (docs(c).include = ['']), ['knowledge.docs.include[0]: must not be empty']],
  ['a missing include', (c) => delete docs(c).include, ['knowledge.docs.include: is required']],
  [
    'include written as a string',
    (c) => (docs(c).include = 'docs/*.md'),
    ['knowledge.docs.include: must be a list, got "docs/*.md"'],
  ],
  [
    'a misspelt field in a base',
    (c) => (docs(c).excludes = ['x']),
    ['knowledge.docs.excludes: unknown field; remove it or check its spelling'],
  ],
  [
    'knowledge written as a list',
    (c) => ((c as WithKnowledge).knowledge = [{ include: ['a.md'] }] as never),
    ['knowledge: must be an object, got a list'],
  ],
  [
    'an unknown url placeholder',
    (c) => (docs(c).url = 'https://docs.example.com/{file}'),
    ['knowledge.docs.url: unknown placeholder {file}; use {path}, {slug}, {anchor}'],
  ],
  [
    'a placeholder in another case',
    (c) => (docs(c).url = 'https://docs.example.com/{Path}'),
    ['knowledge.docs.url: unknown placeholder {Path}; use {path}, {slug}, {anchor}'],
  ],
  ['an ftp url', (c) => (docs(c).url = 'ftp://docs.example.com/{path}'), [`knowledge.docs.url: ${urlProblem}`]],
  ['a javascript: url', (c) => (docs(c).url = 'javascript:alert(1)//{path}'), [`knowledge.docs.url: ${urlProblem}`]],
  ['a relative url', (c) => (docs(c).url = 'docs/{path}'), [`knowledge.docs.url: ${urlProblem}`]],
  ['a placeholder as the host', (c) => (docs(c).url = 'https://{slug}/'), [`knowledge.docs.url: ${urlProblem}`]],
  [
    'a placeholder running into the host',
    (c) => (docs(c).url = 'https://docs.example.com{path}'),
    [`knowledge.docs.url: ${urlProblem}`],
  ],
  [
    'an unclosed placeholder',
    (c) => (docs(c).url = 'https://docs.example.com/{path'),
    [`knowledge.docs.url: ${urlProblem}`],
  ],
  [
    'a widget naming an undeclared base',
    (c) => {
      declare(c);
      bot(c).knowledge = 'guides';
    },
    ['widgets.docs-bot.knowledge: unknown knowledge base "guides"; declared under knowledge: docs'],
  ],
  [
    'an undeclared base second in a list',
    (c) => {
      declare(c, { api: { include: ['api/*.md'] } });
      bot(c).knowledge = ['docs', 'guides'];
    },
    ['widgets.docs-bot.knowledge[1]: unknown knowledge base "guides"; declared under knowledge: docs, api'],
  ],
  [
    'a base named when none is declared',
    (c) => (bot(c).knowledge = 'docs'),
    ['widgets.docs-bot.knowledge: unknown knowledge base "docs"; declared under knowledge: none'],
  ],
  [
    'a base name that is only an Object.prototype property',
    (c) => {
      declare(c);
      bot(c).knowledge = 'constructor';
    },
    ['widgets.docs-bot.knowledge: unknown knowledge base "constructor"; declared under knowledge: docs'],
  ],
  [
    'a stack override naming an undeclared base',
    (c) => {
      declare(c);
      c.stacks = { prod: { widgets: { 'docs-bot': { knowledge: ['docs', 'drafts'] } } } };
    },
    ['stacks.prod.widgets.docs-bot.knowledge[1]: unknown knowledge base "drafts"; declared under knowledge: docs'],
  ],
  [
    'an empty list of bases',
    (c) => {
      declare(c);
      bot(c).knowledge = [];
    },
    ['widgets.docs-bot.knowledge: must have at least 1 item'],
  ],
  [
    'an empty base name (said once)',
    (c) => {
      declare(c);
      bot(c).knowledge = '';
    },
    ['widgets.docs-bot.knowledge: must not be empty'],
  ],
  [
    'a base named by a number',
    (c) => {
      declare(c);
      bot(c).knowledge = 3;
    },
    ['widgets.docs-bot.knowledge: must be a knowledge base name or a list of them, e.g. "docs"'],
  ],
  [
    'a number in the list of bases',
    (c) => {
      declare(c);
      bot(c).knowledge = ['docs', 3];
    },
    ['widgets.docs-bot.knowledge: must be a knowledge base name or a list of them, e.g. "docs"'],
  ],
];

refusesEach(invalidConfigs);

describe('validateConfig accepts', () => {
  test.each([
    ['a path template', 'https://docs.example.com/{path}'],
    ['a slug and anchor template', 'https://docs.example.com/{slug}#{anchor}'],
    ['a query template', 'http://localhost:4000/view?file={path}'],
    ['a template without placeholders', 'https://docs.example.com'],
  ])('%s (%s)', (_name, url) => {
    const config = validConfig();
    docs(config).url = url;
    bot(config).knowledge = 'docs';
    expect(validateConfig(config).knowledge?.docs?.url).toBe(url);
  });

  test('a widget naming its bases as a string or a list, overridden per stack', () => {
    const config = validConfig();
    declare(config, { api: { include: ['api/*.md'], exclude: ['api/drafts/**'] } });
    bot(config).knowledge = ['docs', 'api'];
    config.stacks = { dev: { widgets: { 'docs-bot': { knowledge: 'api' } } } };
    expect(validateConfig(config).widgets['docs-bot']!.knowledge).toEqual(['docs', 'api']);
  });

  test('every problem of a base at once, beside a widget problem', () => {
    const config = validConfig();
    declare(config, { Bad: { include: [], url: 'ftp://x/{file}' } });
    bot(config).knowledge = 'nope';
    expect(problemsOf(config)).toEqual([
      'knowledge.Bad.include: must have at least 1 item',
      'knowledge.Bad.url: unknown placeholder {file}; use {path}, {slug}, {anchor}',
      'knowledge.Bad: knowledge base name must be a lower-case slug (a-z, 0-9, -), e.g. docs',
      'widgets.docs-bot.knowledge: unknown knowledge base "nope"; declared under knowledge: docs, Bad',
    ]);
  });
});
