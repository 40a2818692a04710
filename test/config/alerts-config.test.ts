import { validateConfig } from '../../infra/config/load';
import { resolveConfig } from '../../infra/config/resolve';
import { type InvalidConfig, problemsOf, type Raw, refusesEach, validConfig } from './config-problems';

const withAlerts = (alerts: unknown) => (c: Raw) => void Object.assign(c, { alerts });
const inStack = (alerts: unknown) => (c: Raw) => void (c.stacks = { prod: { alerts } });
const emails = (count: number) => Array.from({ length: count }, (_, i) => `ops${i}@example.com`);
const notPublic = 'must point at a public host: SNS cannot reach a loopback, private or link-local address';
const notHttps = 'must be an https:// URL, e.g. https://hooks.example.com/perch';

const goodAlerts: [string, unknown][] = [
  ['no subscriber at all', {}],
  ['an empty email list', { email: [] }],
  ['two addresses', { email: ['ops@example.com', 'On-Call+perch@team.example.org'] }],
  ['ten addresses, the most', { email: emails(10) }],
  ['a webhook alone', { webhook: 'https://hooks.example.com/services/T000/B000' }],
  ['a webhook on a port with a query', { webhook: 'https://alerts.example.net:8443/sns?team=web' }],
  ['a public IP webhook', { webhook: 'https://203.0.113.10/perch' }],
  ['email and webhook', { email: ['ops@example.com'], webhook: 'https://hooks.example.com/perch' }],
];

test.each(goodAlerts)('validateConfig accepts alerts with %s', (_name, alerts) => {
  const config = validConfig();
  withAlerts(alerts)(config);
  expect(() => validateConfig(config)).not.toThrow();
  inStack(alerts)(config);
  expect(() => validateConfig(config)).not.toThrow();
});

const invalidConfigs: InvalidConfig[] = [
  ['alerts as a list', withAlerts(['ops@example.com']), ['alerts: must be an object, got a list']],
  [
    'email as one string',
    withAlerts({ email: 'ops@example.com' }),
    ['alerts.email: must be a list, got "ops@example.com"'],
  ],
  [
    'an address without a domain',
    withAlerts({ email: ['ops@example.com', 'ops'] }),
    ['alerts.email[1]: must be an email address, e.g. ops@example.com'],
  ],
  [
    'a display name around the address',
    withAlerts({ email: ['Ops <ops@example.com>'] }),
    ['alerts.email[0]: must be an email address, e.g. ops@example.com'],
  ],
  [
    'the same address twice, in another case',
    withAlerts({ email: ['ops@example.com', 'dev@example.com', 'OPS@example.com'] }),
    ['alerts.email[2]: duplicates email[0]; remove one'],
  ],
  [
    'eleven addresses',
    withAlerts({ email: emails(11) }),
    ['alerts.email: must have at most 10 addresses; use a mailing list'],
  ],
  ['a plain http webhook', withAlerts({ webhook: 'http://hooks.example.com/perch' }), [`alerts.webhook: ${notHttps}`]],
  ['a webhook that is no URL', withAlerts({ webhook: 'hooks.example.com' }), [`alerts.webhook: ${notHttps}`]],
  ['a localhost webhook', withAlerts({ webhook: 'https://localhost:8443/hook' }), [`alerts.webhook: ${notPublic}`]],
  ['a *.localhost webhook', withAlerts({ webhook: 'https://sns.localhost/hook' }), [`alerts.webhook: ${notPublic}`]],
  ['a loopback webhook', withAlerts({ webhook: 'https://127.0.0.1/hook' }), [`alerts.webhook: ${notPublic}`]],
  ['a loopback in hex', withAlerts({ webhook: 'https://0x7f.1/hook' }), [`alerts.webhook: ${notPublic}`]],
  ['an IPv6 loopback', withAlerts({ webhook: 'https://[::1]/hook' }), [`alerts.webhook: ${notPublic}`]],
  ['a 10/8 address', withAlerts({ webhook: 'https://10.1.2.3/hook' }), [`alerts.webhook: ${notPublic}`]],
  ['a 172.16/12 address', withAlerts({ webhook: 'https://172.20.0.1/hook' }), [`alerts.webhook: ${notPublic}`]],
  ['a 192.168/16 address', withAlerts({ webhook: 'https://192.168.1.1/hook' }), [`alerts.webhook: ${notPublic}`]],
  ['the metadata address', withAlerts({ webhook: 'https://169.254.169.254/' }), [`alerts.webhook: ${notPublic}`]],
  ['an IPv6 unique-local address', withAlerts({ webhook: 'https://[fd00::1]/' }), [`alerts.webhook: ${notPublic}`]],
  [
    'an IPv4-mapped private address',
    withAlerts({ webhook: 'https://[::ffff:10.0.0.1]/' }),
    [`alerts.webhook: ${notPublic}`],
  ],
  ['a .internal host', withAlerts({ webhook: 'https://alerts.corp.internal/' }), [`alerts.webhook: ${notPublic}`]],
  [
    'credentials in the webhook',
    withAlerts({ webhook: 'https://perch:hunter2@hooks.example.com/' }),
    ['alerts.webhook: must not carry a user name or password'],
  ],
  [
    'an unknown field',
    withAlerts({ email: ['ops@example.com'], sms: ['+441234567890'] }),
    ['alerts.sms: unknown field; remove it or check its spelling'],
  ],
  [
    'a bad stack override, named by its stack',
    inStack({ email: ['ops@example.com', 'ops@example.com'], webhook: 'http://x.example.com' }),
    ['stacks.prod.alerts.email[1]: duplicates email[0]; remove one', `stacks.prod.alerts.webhook: ${notHttps}`],
  ],
];
refusesEach(invalidConfigs);

test('check lists a bad alerts block beside a bad widget', () => {
  const config = validConfig();
  config.widgets['docs-bot']!.model = 'missing';
  withAlerts({ email: ['nobody'] })(config);
  expect(problemsOf(config)).toEqual([
    'alerts.email[0]: must be an email address, e.g. ops@example.com',
    'widgets.docs-bot.model: unknown model "missing"; declared models: local',
  ]);
});

describe('resolveConfig', () => {
  const config = (stacks?: unknown) =>
    validateConfig({
      ...validConfig(),
      alerts: { email: ['ops@example.com'], webhook: 'https://h.example.com/' },
      stacks,
    });

  test('gives every stack the top-level alerts', () => {
    expect(resolveConfig(config(), 'prod').alerts).toEqual({
      email: ['ops@example.com'],
      webhook: 'https://h.example.com/',
    });
  });

  test("replaces them as a whole with a stack's own block", () => {
    const stacks = { dev: { alerts: { email: ['dev@example.com'] } }, quiet: { alerts: {} } };
    expect(resolveConfig(config(stacks), 'dev').alerts).toEqual({ email: ['dev@example.com'] });
    expect(resolveConfig(config(stacks), 'quiet').alerts).toEqual({ email: [] });
    expect(resolveConfig(config(stacks), 'prod').alerts.email).toEqual(['ops@example.com']);
  });

  test('a stack may override alerts without overriding any widget', () => {
    expect(() => config({ dev: { alerts: { email: [] } } })).not.toThrow();
  });

  test('without alerts anywhere, a stack tells no one', () => {
    expect(resolveConfig(validateConfig(validConfig()), 'prod').alerts).toEqual({ email: [] });
  });

  test('an explicit undefined webhook is no webhook', () => {
    const raw = { ...validConfig(), alerts: { email: ['ops@example.com'], webhook: undefined } };
    expect(resolveConfig(validateConfig(raw), 'prod').alerts).toEqual({ email: ['ops@example.com'] });
  });
});
