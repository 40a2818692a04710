import { validateConfig } from '../../infra/config/load';
import { resolveConfig } from '../../infra/config/resolve';
import { bot, type InvalidConfig, refusesEach, validConfig } from './config-problems';

// A widget's `locale` and `texts` (DESIGN.md § Languages).
const LOCALES = '"en", "de", "fr", "es", "pt", "ja", "ar", "auto"';
const TEXTS =
  'widgetInvalid, botNotReady, originDenied, tooFast, sendFailed, startFailed, answerPending, signIn, ' +
  'sessionInvalid, sessionExpired, openChat, closeChat, conversation, message, send, rateAnswer, helpful, ' +
  'notHelpful, sources';
const unknownText = (path: string) => `${path}: unknown text; the texts are ${TEXTS}`;

const invalidConfigs: InvalidConfig[] = [
  ['an unshipped locale', (c) => (bot(c).locale = 'nl'), [`widgets.docs-bot.locale: must be one of ${LOCALES}`]],
  ['a locale with a region', (c) => (bot(c).locale = 'de-DE'), [`widgets.docs-bot.locale: must be one of ${LOCALES}`]],
  [
    'a prototype key as locale',
    (c) => (bot(c).locale = '__proto__'),
    [`widgets.docs-bot.locale: must be one of ${LOCALES}`],
  ],
  ['a misspelt text', (c) => (bot(c).texts = { sendd: 'Go' }), [unknownText('widgets.docs-bot.texts.sendd')]],
  [
    'the greeting as a text (it is a widget field of its own)',
    (c) => (bot(c).texts = { greeting: 'Hi' }),
    [unknownText('widgets.docs-bot.texts.greeting')],
  ],
  [
    '__proto__ as a text',
    (c) => (bot(c).texts = JSON.parse('{"__proto__": "x", "send": "Go"}')),
    [unknownText('widgets.docs-bot.texts.__proto__')],
  ],
  [
    'constructor as a text',
    (c) => (bot(c).texts = { constructor: 'x' }),
    [unknownText('widgets.docs-bot.texts.constructor')],
  ],
  ['an empty text', (c) => (bot(c).texts = { send: '' }), ['widgets.docs-bot.texts.send: must not be empty']],
  [
    'a text over 200 characters',
    (c) => (bot(c).texts = { sources: 'x'.repeat(201) }),
    ['widgets.docs-bot.texts.sources: must be at most 200 characters long'],
  ],
  [
    'a text that is no string',
    (c) => (bot(c).texts = { send: 5 }),
    ['widgets.docs-bot.texts.send: must be a string, got 5'],
  ],
  ['texts as a list', (c) => (bot(c).texts = ['Go']), ['widgets.docs-bot.texts: must be an object, got a list']],
  [
    'a misspelt text in a stack override',
    (c) => (c.stacks = { prod: { widgets: { 'docs-bot': { texts: { Send: 'Go' } } } } }),
    [unknownText('stacks.prod.widgets.docs-bot.texts.Send')],
  ],
];

refusesEach(invalidConfigs);

const resolved = (change: (c: ReturnType<typeof validConfig>) => void, stack = 'local') => {
  const config = validConfig();
  change(config);
  return resolveConfig(validateConfig(config), stack).widgets[0]!;
};

test('a widget without a locale speaks English, with no texts, greeting or placeholder of its own', () => {
  const widget = resolved(() => undefined);
  expect([widget.locale, widget.texts, widget.greeting, widget.placeholder]).toEqual([
    'en',
    undefined,
    undefined,
    undefined,
  ]);
});

test('locale auto and markup in a text are accepted as written', () => {
  const widget = resolved((c) => Object.assign(bot(c), { locale: 'auto', texts: { send: '<b>Go</b>' } }));
  expect([widget.locale, widget.texts]).toEqual(['auto', { send: '<b>Go</b>' }]);
});

test('a stack override merges its texts over the base texts, one by one', () => {
  const widget = resolved((c) => {
    Object.assign(bot(c), { locale: 'de', texts: { send: 'Los', sources: 'Belege' } });
    c.stacks = { prod: { widgets: { 'docs-bot': { locale: 'fr', texts: { send: 'Envoyer!', sources: undefined } } } } };
  }, 'prod');
  expect([widget.locale, widget.texts]).toEqual(['fr', { send: 'Envoyer!', sources: 'Belege' }]);
});
