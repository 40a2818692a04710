import { join } from 'node:path';
import { loadResolvedConfig, validateConfig } from '../../infra/config/load';
import { resolveConfig, WIDGET_DEFAULTS } from '../../infra/config/resolve';

const SHIPPED_CONFIG = join(__dirname, '../../widgets.config.ts');

const base = () => ({
  models: {
    local: { provider: 'faq' as const },
    claude: { provider: 'bedrock' as const, modelId: 'anthropic.claude', region: undefined },
  },
  widgets: {
    'docs-bot': {
      name: 'Docs',
      model: 'local',
      greeting: 'Hello from docs',
      theme: { primary: '#111111', position: 'bottom-left' as const },
      allowedOrigins: ['https://docs.example.com', 'http://localhost:3000'],
      limits: { perMinute: 5, perDay: 50, perVisitorPerDay: 10 },
      faq: [{ question: 'Q?', answer: 'A.' }],
    },
    bare: { name: 'Bare', model: 'claude' },
  },
  stacks: {
    prod: {
      widgets: {
        'docs-bot': {
          allowedOrigins: ['https://*.example.com'],
          theme: { primary: '#222222' },
          limits: { perDay: 500 },
          status: 'paused' as const,
        },
      },
    },
    dev: { widgets: { 'docs-bot': { greeting: undefined, theme: { primary: undefined } } } },
  },
});

const widget = (stack: string, id: string) => {
  const found = resolveConfig(validateConfig(base()), stack).widgets.find((w) => w.id === id);
  if (!found) throw new Error(`no widget ${id}`);
  return found;
};

test('a widget declaring only name and model gets every default', () => {
  expect(widget('local', 'bare')).toEqual({
    id: 'bare',
    name: 'Bare',
    modelName: 'claude',
    model: { provider: 'bedrock', modelId: 'anthropic.claude' },
    systemPrompt: WIDGET_DEFAULTS.systemPrompt,
    locale: 'en',
    theme: { primary: '#2563eb', position: 'bottom-right' },
    allowedOrigins: [],
    limits: { perMinute: 10, perDay: 200 },
    keyRotation: 0,
    status: 'active',
    quickActions: [],
    feedback: true,
    faq: [],
    retentionDays: 30,
    knowledge: [],
  });
});

test('a model binding written with an explicit undefined field resolves without that key', () => {
  expect(Object.keys(widget('local', 'bare').model)).toEqual(['provider', 'modelId']);
});

test('widgets come out sorted by id', () => {
  expect(resolveConfig(validateConfig(base()), 'local').widgets.map((w) => w.id)).toEqual(['bare', 'docs-bot']);
});

test('a stack without overrides gets the base widget', () => {
  const docs = widget('staging', 'docs-bot');
  expect(docs.allowedOrigins).toEqual(['https://docs.example.com', 'http://localhost:3000']);
  expect(docs.theme).toEqual({ primary: '#111111', position: 'bottom-left' });
  expect(docs.status).toBe('active');
});

test('a stack override replaces lists and merges theme and limits field by field', () => {
  const docs = widget('prod', 'docs-bot');
  expect(docs.allowedOrigins).toEqual(['https://*.example.com']);
  expect(docs.theme).toEqual({ primary: '#222222', position: 'bottom-left' });
  expect(docs.limits).toEqual({ perMinute: 5, perDay: 500, perVisitorPerDay: 10 });
  expect(docs.status).toBe('paused');
  expect(docs.greeting).toBe('Hello from docs');
});

test('an override field set to undefined keeps the base value instead of the default', () => {
  const docs = widget('dev', 'docs-bot');
  expect(docs.greeting).toBe('Hello from docs');
  expect(docs.theme.primary).toBe('#111111');
});

test('allowed origins are stored normalised: lower case, punycode, no default port', () => {
  const config = validateConfig({
    models: { local: { provider: 'faq' } },
    widgets: {
      w: {
        name: 'W',
        model: 'local',
        allowedOrigins: [
          'HTTPS://Docs.Example.COM:443',
          'https://bücher.example',
          'http://localhost:80',
          'https://*.Example.com:8443',
        ],
        faq: [{ question: 'q', answer: 'a' }],
      },
    },
  });
  expect(resolveConfig(config, 'local').widgets[0]!.allowedOrigins).toEqual([
    'https://docs.example.com',
    'https://xn--bcher-kva.example',
    'http://localhost',
    'https://*.example.com:8443',
  ]);
});

test('warnings name an empty origin list and a faq widget without faq, per stack', () => {
  const config = validateConfig(base());
  expect(resolveConfig(config, 'local').warnings).toEqual([
    'widgets.bare.allowedOrigins is empty: any website can embed this widget (fine for development only)',
  ]);
  const emptied = validateConfig({
    ...base(),
    stacks: { dev: { widgets: { 'docs-bot': { allowedOrigins: [], faq: [] } } } },
  });
  expect(resolveConfig(emptied, 'dev').warnings).toEqual([
    'widgets.bare.allowedOrigins is empty: any website can embed this widget (fine for development only)',
    'widgets.docs-bot.allowedOrigins is empty: any website can embed this widget (fine for development only)',
    'widgets.docs-bot.faq is empty: the faq model can only give its fallback answer',
  ]);
});

test(
  'the shipped widgets.config.ts validates: ' + 'a restricted faq widget with docs, an open one, a paused one',
  async () => {
    const resolved = await loadResolvedConfig(SHIPPED_CONFIG, 'local');
    const byId = Object.fromEntries(resolved.widgets.map((w) => [w.id, w]));
    expect(Object.keys(byId).sort()).toEqual(['docs-bot', 'playground', 'support-bot']);
    expect(byId['docs-bot']!.allowedOrigins).toEqual(['http://localhost:3000']);
    expect(byId['docs-bot']!.model.provider).toBe('faq');
    expect(byId['docs-bot']!.knowledge).toEqual([{ base: 'perch-docs', digest: resolved.knowledge[0]!.digest }]);
    expect(resolved.knowledge[0]!.files.map((f) => f.path)).toContain('README.md');
    expect(byId.playground!.allowedOrigins).toEqual([]);
    expect(byId['support-bot']!.status).toBe('paused');
    expect(
      (await loadResolvedConfig(SHIPPED_CONFIG, 'prod')).widgets.find((w) => w.id === 'docs-bot')!.allowedOrigins,
    ).toEqual(['https://docs.example.com', 'https://*.example.com']);
  },
);

test('a stack name missing from stacks is warned about, so a typo cannot silently drop overrides', () => {
  const resolved = resolveConfig(validateConfig(base()), 'prdo');
  expect(resolved.warnings).toContain(
    'stack "prdo" has no entry under stacks (declared: prod, dev); the base config applies',
  );
  expect(resolveConfig(validateConfig(base()), 'local').warnings.join('\n')).not.toContain('no entry under stacks');
  expect(resolveConfig(validateConfig(base()), 'prod').warnings.join('\n')).not.toContain('no entry under stacks');
});
