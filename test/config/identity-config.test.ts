import { validateConfig } from '../../infra/config/load';
import { resolveConfig } from '../../infra/config/resolve';
import { bot, type InvalidConfig, type Raw, refusesEach, validConfig } from './config-problems';

const withIdentity = (identity: unknown) => (c: Raw) => void (bot(c).identity = identity);
const oneSource =
  'widgets.docs-bot.identity: set exactly one of secretEnv (an environment variable, local target) or ' +
  'secretSecret (Secrets Manager)';

const invalidConfigs: InvalidConfig[] = [
  ['identity with no secret', withIdentity({ required: true }), [oneSource]],
  ['identity with both secrets', withIdentity({ secretEnv: 'SITE_SECRET', secretSecret: 'perch/site' }), [oneSource]],
  [
    'a secretEnv that is no variable name',
    withIdentity({ secretEnv: 'site-secret' }),
    ['widgets.docs-bot.identity.secretEnv: must be an environment variable name'],
  ],
  [
    'an empty secretSecret',
    withIdentity({ secretSecret: '' }),
    ['widgets.docs-bot.identity.secretSecret: must not be empty'],
  ],
  [
    'required as a string',
    withIdentity({ secretEnv: 'SITE_SECRET', required: 'yes' }),
    ['widgets.docs-bot.identity.required: must be true or false, got "yes"'],
  ],
  [
    'the secret itself written into the config',
    withIdentity({ secretEnv: 'SITE_SECRET', secret: 'hunter2' }),
    ['widgets.docs-bot.identity.secret: unknown field; remove it or check its spelling'],
  ],
  [
    'identity as a string',
    withIdentity('SITE_SECRET'),
    ['widgets.docs-bot.identity: must be an object, got "SITE_SECRET"'],
  ],
];
refusesEach(invalidConfigs);

const resolved = (identity: unknown, stack = 'local') => {
  const config = validConfig();
  bot(config).identity = identity;
  return resolveConfig(validateConfig(config), stack);
};

test('identity resolves with required false by default, and a widget without it has none', () => {
  expect(resolved({ secretEnv: 'SITE_SECRET' }).widgets[0]!.identity).toEqual({
    secretEnv: 'SITE_SECRET',
    required: false,
  });
  expect(resolved({ secretSecret: 'perch/site', required: true }).widgets[0]!.identity).toEqual({
    secretSecret: 'perch/site',
    required: true,
  });
  expect(resolveConfig(validateConfig(validConfig()), 'local').widgets[0]).not.toHaveProperty('identity');
});

test('secretEnv on an AWS stack is a warning: the Lambda environment does not carry it', () => {
  expect(resolved({ secretEnv: 'SITE_SECRET' }, 'prod').warnings).toContain(
    "widgets.docs-bot.identity.secretEnv is read from the function's environment, which the AWS target does not " +
      'set: use identity.secretSecret there (a per-stack override)',
  );
  expect(resolved({ secretEnv: 'SITE_SECRET' }).warnings.join('\n')).not.toMatch(/secretEnv/);
});
