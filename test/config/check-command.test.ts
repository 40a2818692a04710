import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeConfigFile } from '../fixtures/config-file';

const ROOT = resolve(__dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'perch-check-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `npm run check <file>` the way npm does (tsx infra/config/check.ts <file>). */
function runCheck(file: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const env = { ...process.env };
    delete env.PERCH_CONFIG;
    execFile(TSX, ['infra/config/check.ts', file], { cwd: ROOT, env, timeout: 20_000 }, (error, stdout, stderr) => {
      done({ code: error ? (error.code as number | null) : 0, stdout, stderr });
    });
  });
}

const writeConfig = (name: string, config: unknown) => writeConfigFile(join(dir, name), config);

test('check exits 1 and lists every problem of a bad config file by path', async () => {
  const file = writeConfig('bad.config.ts', {
    models: { local: { provider: 'faq' } },
    widgets: {
      'docs-bot': {
        name: 'Docs',
        model: 'gpt',
        allowedOrigins: ['example.com', 'https://example.com/path'],
        limits: { perDay: -5 },
      },
    },
  });

  const result = await runCheck(file);

  expect(result.code).toBe(1);
  expect(result.stderr.split('\n')).toEqual(
    expect.arrayContaining([
      `${file}: 4 problems`,
      '  ✗ widgets.docs-bot.allowedOrigins[0]: "example.com" needs a scheme, e.g. https://example.com',
      '  ✗ widgets.docs-bot.allowedOrigins[1]: "https://example.com/path" must be an origin only ' +
        '(scheme://host[:port]), without path, query or trailing slash',
      '  ✗ widgets.docs-bot.limits.perDay: must be greater than 0',
      '  ✗ widgets.docs-bot.model: unknown model "gpt"; declared models: local',
    ]),
  );
  expect(result.stdout).not.toContain('OK');
});

test('check exits 0 with a warning for an empty origin list', async () => {
  const file = writeConfig('open.config.ts', {
    models: { local: { provider: 'faq' } },
    widgets: { open: { name: 'Open', model: 'local', allowedOrigins: [], faq: [{ question: 'q', answer: 'a' }] } },
    stacks: { prod: { widgets: { open: { allowedOrigins: ['https://example.com'] } } } },
  });

  const result = await runCheck(file);

  expect(result.code).toBe(0);
  expect(result.stderr).toContain(
    'warning: widgets.open.allowedOrigins is empty: any website can embed this widget ' +
      '(fine for development only) (stacks: local)',
  );
  expect(result.stdout).toContain(`${file}: 1 widgets, 1 models, 0 knowledge bases — OK`);
});

test('check exits 1 for an inference profile its binding cannot call from its region', async () => {
  const file = writeConfig('profile.config.ts', {
    models: {
      claude: { provider: 'bedrock', modelId: 'eu.anthropic.claude-haiku-4-5-20251001-v1:0', region: 'us-east-1' },
    },
    widgets: { docs: { name: 'Docs', model: 'claude', allowedOrigins: ['https://example.com'] } },
  });

  const result = await runCheck(file);

  expect(result.code).toBe(1);
  expect(result.stderr).toContain(
    '  ✗ models.claude.region: the eu. inference profile can only be called from eu-central-1, eu-central-2, ' +
      'eu-north-1, eu-south-1, eu-south-2, eu-west-1, eu-west-2, eu-west-3, not us-east-1: ' +
      'set region to one of them or use the us. profile if the model has one',
  );
});

test('check exits 1 naming a config file that does not exist', async () => {
  const result = await runCheck(join(dir, 'missing.config.ts'));
  expect(result.code).toBe(1);
  expect(result.stderr).toContain(`config file not found: ${join(dir, 'missing.config.ts')}`);
});
