import { validateConfig } from '../../infra/config/load';
import { bot, type InvalidConfig, problemsOf, refusesEach, validConfig } from './config-problems';

// Models, limits, widget fields, stack overrides and sizes; origins are in validate-config-origins.test.ts.
const invalidConfigs: InvalidConfig[] = [
  [
    'an unknown model',
    (c) => (bot(c).model = 'gpt-4'),
    ['widgets.docs-bot.model: unknown model "gpt-4"; declared models: local'],
  ],
  [
    'a model name that is only an Object.prototype property',
    (c) => (bot(c).model = 'toString'),
    ['widgets.docs-bot.model: unknown model "toString"; declared models: local'],
  ],
  [
    'negative and zero limits',
    (c) => (bot(c).limits = { perMinute: -1, perDay: 0 }),
    [
      'widgets.docs-bot.limits.perMinute: must be greater than 0',
      'widgets.docs-bot.limits.perDay: must be greater than 0',
    ],
  ],
  [
    'a fractional limit',
    (c) => (bot(c).limits = { perMinute: 1.5 }),
    ['widgets.docs-bot.limits.perMinute: must be a whole number, got 1.5'],
  ],
  [
    'a limit written as a string (wrong type, not missing)',
    (c) => (bot(c).limits = { perDay: '200' }),
    ['widgets.docs-bot.limits.perDay: must be a number, got "200"'],
  ],
  ['a negative keyRotation', (c) => (bot(c).keyRotation = -1), ['widgets.docs-bot.keyRotation: must be at least 0']],
  [
    'an unknown widget field',
    (c) => (bot(c).colour = '#ff0000'),
    ['widgets.docs-bot.colour: unknown field; remove it or check its spelling'],
  ],
  [
    'an unknown top-level field',
    (c) => Object.assign(c, { widget: {} }),
    ['widget: unknown field; remove it or check its spelling'],
  ],
  [
    'a widget id that is not a slug',
    (c) => (c.widgets['Docs Bot'] = { name: 'Docs', model: 'local' }),
    ['widgets.Docs Bot: widget id must be a lower-case slug (a-z, 0-9, -), e.g. docs-bot'],
  ],
  [
    'a widget id ending with a dash',
    (c) => (c.widgets['docs-'] = { name: 'Docs', model: 'local' }),
    ['widgets.docs-: widget id must be a lower-case slug (a-z, 0-9, -), e.g. docs-bot'],
  ],
  [
    'a colour that is not #rrggbb',
    (c) => (bot(c).theme = { primary: 'blue' }),
    ['widgets.docs-bot.theme.primary: must be a #rrggbb colour, e.g. #2563eb'],
  ],
  [
    'an unknown position',
    (c) => (bot(c).theme = { position: 'top-left' }),
    ['widgets.docs-bot.theme.position: must be one of "bottom-right", "bottom-left"'],
  ],
  ['an unknown status', (c) => (bot(c).status = 'off'), ['widgets.docs-bot.status: must be one of "active", "paused"']],
  ['a missing name', (c) => delete bot(c).name, ['widgets.docs-bot.name: is required']],
  ['an empty name', (c) => (bot(c).name = ''), ['widgets.docs-bot.name: must not be empty']],
  [
    'too many quick actions',
    (c) => (bot(c).quickActions = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i']),
    ['widgets.docs-bot.quickActions: must have at most 8 items'],
  ],
  [
    'a stack override of an unknown widget',
    (c) => (c.stacks = { prod: { widgets: { ghost: { name: 'Ghost' } } } }),
    ['stacks.prod.widgets.ghost: overrides a widget that is not declared under widgets'],
  ],
  [
    'an unknown field in a stack override',
    (c) => (c.stacks = { prod: { widgets: { 'docs-bot': { origins: [] } } } }),
    ['stacks.prod.widgets.docs-bot.origins: unknown field; remove it or check its spelling'],
  ],
  [
    'an unknown model in a stack override',
    (c) => (c.stacks = { prod: { widgets: { 'docs-bot': { model: 'claude' } } } }),
    ['stacks.prod.widgets.docs-bot.model: unknown model "claude"; declared models: local'],
  ],
  [
    'an openai baseUrl that ends with /chat/completions',
    (c) =>
      (c.models.remote = { provider: 'openai', baseUrl: 'https://api.example.com/v1/chat/completions', model: 'm' }),
    ['models.remote.baseUrl: must end before /chat/completions'],
  ],
  [
    'an openai baseUrl without a scheme',
    (c) => (c.models.remote = { provider: 'openai', baseUrl: 'api.example.com/v1', model: 'm' }),
    ['models.remote.baseUrl: must be an http(s) URL such as https://api.example.com/v1'],
  ],
  [
    'an openai apiKeyEnv that is not a variable name',
    (c) =>
      (c.models.remote = {
        provider: 'openai',
        baseUrl: 'https://api.example.com/v1',
        model: 'm',
        apiKeyEnv: 'my key',
      }),
    ['models.remote.apiKeyEnv: must be an environment variable name'],
  ],
  [
    'an unknown provider',
    (c) => (c.models.remote = { provider: 'anthropic' }),
    ['models.remote.provider: must be one of "faq", "bedrock", "openai"'],
  ],
  [
    'a bedrock region that is not a region',
    (c) => (c.models.claude = { provider: 'bedrock', modelId: 'anthropic.claude', region: 'mars' }),
    ['models.claude.region: must be an AWS region such as us-east-1'],
  ],
  [
    'negative pricing',
    (c) =>
      (c.models.claude = {
        provider: 'bedrock',
        modelId: 'anthropic.claude',
        pricing: { inputPerMTok: -1, outputPerMTok: 4 },
      }),
    ['models.claude.pricing.inputPerMTok: must be at least 0'],
  ],
  [
    'a retention of zero days',
    (c) => (bot(c).retentionDays = 0),
    ['widgets.docs-bot.retentionDays: must be at least 1'],
  ],
  [
    'a faq pair without an answer',
    (c) => (bot(c).faq = [{ question: 'Why?' }]),
    ['widgets.docs-bot.faq[0].answer: is required'],
  ],
  [
    'a widget too large for one table item',
    (c) => (bot(c).faq = Array.from({ length: 100 }, (_, i) => ({ question: `Q${i}?`, answer: 'a'.repeat(4000) }))),
    ['widgets.docs-bot: is about 394 KB, more than the 350 KB one table item can hold; shorten faq or systemPrompt'],
  ],
  [
    'a stack override that makes a widget too large for one table item',
    (c) => {
      bot(c).systemPrompt = 'p'.repeat(20_000);
      c.stacks = {
        prod: {
          widgets: {
            'docs-bot': { faq: Array.from({ length: 85 }, () => ({ question: 'Q?', answer: 'a'.repeat(4000) })) },
          },
        },
      };
    },
    [
      'stacks.prod.widgets.docs-bot: is about 355 KB, more than the 350 KB one table item can hold; ' +
        'shorten faq or systemPrompt',
    ],
  ],
];

refusesEach(invalidConfigs);

test('the valid base config of the table passes (so each row fails for its own reason)', () => {
  expect(() => validateConfig(validConfig())).not.toThrow();
});

test('a config with several problems lists every one, including cross-field ones behind a type error', () => {
  const config = validConfig();
  bot(config).allowedOrigins = ['example.com', 'https://a.example.com', 'https://A.example.com'];
  bot(config).limits = { perDay: '200' };
  bot(config).model = 'gpt';
  bot(config).colour = 'red';
  config.widgets.Bad_Id = { name: 'x', model: 'local' };
  config.stacks = { prod: { widgets: { ghost: {} } } };

  const problems = problemsOf(config);

  expect([...problems].sort()).toEqual(
    [
      'widgets.docs-bot.allowedOrigins[0]: "example.com" needs a scheme, e.g. https://example.com',
      'widgets.docs-bot.allowedOrigins[2]: "https://A.example.com" duplicates allowedOrigins[1]; remove one',
      'widgets.docs-bot.limits.perDay: must be a number, got "200"',
      'widgets.docs-bot.model: unknown model "gpt"; declared models: local',
      'widgets.docs-bot.colour: unknown field; remove it or check its spelling',
      'widgets.Bad_Id: widget id must be a lower-case slug (a-z, 0-9, -), e.g. docs-bot',
      'stacks.prod.widgets.ghost: overrides a widget that is not declared under widgets',
    ].sort(),
  );
});

test('a config that is not an object says so at the root', () => {
  expect(problemsOf(null)).toEqual(['(config): must be an object, got null']);
});

test('malformed nested values are reported, never crash the cross-field rules', () => {
  const config = validConfig();
  config.widgets['docs-bot'] = null as never;
  config.stacks = { prod: null };
  expect(problemsOf(config)).toEqual([
    'widgets.docs-bot: must be an object, got null',
    'stacks.prod: must be an object, got null',
  ]);
});
