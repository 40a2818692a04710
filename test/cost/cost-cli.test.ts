import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCostCli } from '../../infra/cost/cli';
import { writeConfigFile } from '../fixtures/config-file';

let dir: string;
let configFile: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'perch-cost-cli-'));
  configFile = join(dir, 'widgets.config.ts');
  writeConfigFile(configFile, {
    models: {
      claude: {
        provider: 'bedrock',
        modelId: 'eu.anthropic.claude-haiku-4-5-20251001-v1:0',
        pricing: { inputPerMTok: 1.1, outputPerMTok: 5.5 },
      },
    },
    widgets: { 'docs-bot': { name: 'Docs assistant', model: 'claude', limits: { dailyBudgetUsd: 20 } } },
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCostCli(argv, {
    stdout: { write: (text: string) => Boolean((stdout += text)) },
    stderr: { write: (text: string) => Boolean((stderr += text)) },
  });
  return { code, stdout, stderr };
}

test.each([
  [[], '--messages is required'],
  [['--messages'], "Option '--messages <value>' argument missing"],
  [['--messages', '0'], '--messages must be a whole number of at least 1, got "0"'],
  [['--messages', '1e6'], '--messages must be a whole number of at least 1, got "1e6"'],
  [['--messages', '-5'], "Option '--messages' argument is ambiguous"],
  [['--messages', '1000', '--sessions', 'many'], '--sessions must be a whole number of at least 1'],
  [['--messages', '1000', '--page-views', '10'], '--page-views must be a whole number of at least 250'],
  [['--messages', '1000', '--answer-tokens', '0'], '--answer-tokens must be a whole number of at least 1'],
  [['--messages', '1000', '--region', 'us-east-1'], "Unknown option '--region'"],
  [['--messages', '1000', 'extra'], "Unexpected argument 'extra'"],
])('%j exits 2 with the error and the help hint', async (argv, message) => {
  const { code, stdout, stderr } = await run(...argv);
  expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
  expect(stderr).toContain(`error: ${message}`);
  expect(stderr).toContain('See `npm run cost -- --help`.');
});

test('--help prints the options and exits 0, without --messages', async () => {
  const { code, stdout } = await run('--help');
  expect(code).toBe(0);
  expect(stdout).toMatch(/^Usage: npm run cost -- --messages <per month>/);
  for (const option of ['--sessions', '--page-views', '--answer-tokens', '--prompt-tokens', '--config', '--json'])
    expect(stdout).toContain(option);
});

test('a config that fails validation exits 1 naming the problem', async () => {
  const { code, stderr } = await run('--messages', '1000', '--config', join(dir, 'missing.config.ts'));
  expect(code).toBe(1);
  expect(stderr).toContain('config file not found');
});

test('--json prints the estimate: inputs, lines by service, the total, the model apart, the assumptions', async () => {
  const { code, stdout } = await run(
    '--messages',
    '1_000_000',
    '--sessions',
    '200000',
    '--config',
    configFile,
    '--json',
  );
  expect(code).toBe(0);
  const estimate = JSON.parse(stdout);
  expect(estimate).toEqual({
    region: 'eu-west-1',
    pricesDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    measuredOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    inputs: { messages: 1_000_000, sessions: 200_000, pageViews: 2_000_000, answerTokens: 300, promptTokens: 1500 },
    lines: expect.any(Array),
    services: ['Lambda', 'DynamoDB', 'API Gateway', 'CloudFront', 'S3', 'Secrets Manager', 'CloudWatch', 'SNS'].map(
      (service) => ({ service, usd: expect.any(Number) }),
    ),
    totalUsd: expect.any(Number),
    // 1M messages × (1500 × $1.1 + 300 × $5.5) / 1M tokens
    model: { widgets: [{ id: 'docs-bot', model: 'claude', messages: 1_000_000, usd: 3300 }], totalUsd: 3300 },
    assumptions: expect.arrayContaining([expect.stringContaining('free tiers not subtracted')]),
  });
  for (const line of estimate.lines)
    expect(line).toEqual({
      service: expect.any(String),
      item: expect.any(String),
      quantity: expect.any(Number),
      price: expect.any(String),
      usd: expect.any(Number),
    });
  // infra/aws/alarms.ts: 5 functions × errors and throttles, API 5xx, the DLQ; p95 first token and 2 budget alarms.
  expect(estimate.lines.find((l: { item: string }) => l.item.startsWith('alarms'))).toMatchObject({ quantity: 15 });
  const sum = estimate.services.reduce((total: number, s: { usd: number }) => total + s.usd, 0);
  expect(estimate.totalUsd).toBeCloseTo(sum, 9);
});

test('the text output shows each service, the total, the model labelled as not AWS, and the assumptions', async () => {
  const { code, stdout } = await run('--messages', '1000000', '--config', configFile);
  expect(code).toBe(0);
  expect(stdout).toMatch(/^Estimated monthly AWS bill, eu-west-1 \(prices of \d{4}-\d{2}-\d{2}/);
  for (const service of ['Lambda', 'DynamoDB', 'API Gateway', 'CloudFront', 'S3', 'Secrets Manager', 'CloudWatch'])
    expect(stdout).toMatch(new RegExp(`^${service} +\\$[\\d,.]+$`, 'm'));
  expect(stdout).toMatch(/^Total AWS +\$[\d,.]+$/m);
  expect(stdout).toContain('Model providers (not AWS:');
  expect(stdout).toMatch(/^ {2}docs-bot \(model claude\), 1,000,000 messages +\$3,300\.00$/m);
  expect(stdout).toContain('Assumptions:');
  expect(stdout.split('\n').every((line) => line.length <= 96)).toBe(true);
});
