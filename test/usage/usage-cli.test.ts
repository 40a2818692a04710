import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../functions/records/client';
import { DEFAULT_TABLE_NAME, MANAGED_BY, widgetKey } from '../../functions/records/table';
import { counterKey } from '../../functions/usage/counter-record';
import { ensureTable, type LocalDatabase, startLocalDatabase } from '../../infra/local/database';
import { runUsageCli } from '../../infra/usage/cli';
import { LOCAL_ENDPOINT_FILE } from '../../infra/usage/local-endpoint';
import { writeConfigFile } from '../fixtures/config-file';

const NOW = Date.parse('2026-11-24T12:00:00Z');
let dir: string;
let dataDir: string;
let configFile: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'perch-usage-cli-'));
  dataDir = join(dir, 'data');
  configFile = join(dir, 'widgets.config.ts');
  writeConfigFile(configFile, {
    models: { local: { provider: 'faq' } },
    widgets: {
      'docs-bot': { name: 'Docs assistant', model: 'local', faq: [{ question: 'Q?', answer: 'A.' }] },
      'not-applied': { name: 'Not applied yet', model: 'local', faq: [{ question: 'Q?', answer: 'A.' }] },
    },
  });
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A data folder as `npm start` leaves it: the table, the docs-bot widget, two days of counters. */
async function seedDataFolder(database?: LocalDatabase): Promise<LocalDatabase> {
  const db = database ?? (await startLocalDatabase({ path: join(dataDir, 'db') }));
  await ensureTable(db.client, DEFAULT_TABLE_NAME);
  const doc = createDocumentClient(db.client);
  const put = (Item: Record<string, unknown>) => doc.send(new PutCommand({ TableName: DEFAULT_TABLE_NAME, Item }));
  await put({
    ...widgetKey('docs-bot'),
    managedBy: MANAGED_BY,
    widgetId: 'docs-bot',
    name: 'Docs assistant',
    status: 'active',
  });
  const expiresAt = Math.floor(NOW / 1000) + 5 * 86_400;
  await put({
    ...counterKey('docs-bot', '2026-11-23'),
    sessions: 3,
    messages: 12,
    inputTokens: 14_200,
    outputTokens: 3_100,
    costUsd: 0.0244,
    refusals: { widget_rate_limit: 2 },
    expiresAt,
  });
  await put({
    ...counterKey('docs-bot', '2026-11-24'),
    sessions: 1,
    messages: 4,
    inputTokens: 3_000,
    outputTokens: 900,
    costUsd: 0.0061,
    expiresAt,
  });
  return db;
}

async function usage(args: string[], env: NodeJS.ProcessEnv = { PERCH_DATA_DIR: dataDir, PERCH_CONFIG: configFile }) {
  let stdout = '';
  let stderr = '';
  const code = await runUsageCli(args, {
    env,
    stdout: { write: (s: string) => (stdout += s) !== undefined },
    stderr: { write: (s: string) => (stderr += s) !== undefined },
    now: () => NOW,
  });
  return { code, stdout, stderr };
}

describe('bad command lines are refused with exit code 2 and say what is wrong', () => {
  test.each([
    [['--days', '0'], '--days must be a whole number from 1 to 400'],
    [['--days', '1.5'], '--days must be a whole number'],
    [['--days', '401'], 'got "401"'],
    [['--days'], "Option '--days <value>' argument missing"],
    [['--widget', 'Docs Bot'], '--widget must be a widget id'],
    [['--widget', '../../etc'], '--widget must be a widget id'],
    [['--colour'], "Unknown option '--colour'"],
    [['docs-bot'], "Unexpected argument 'docs-bot'"],
    [['--table', 'perch', '--outputs', 'out.json'], 'use either --table or --outputs, not both'],
    [['--region', 'eu-west-1'], '--region only applies to an AWS table'],
    [['--table', 'perch', '--region', 'mars'], '--region must be an AWS region'],
    [['--table', 'a b'], '--table must be a DynamoDB table name'],
  ])('%j', async (args, message) => {
    const { code, stdout, stderr } = await usage(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(`error: `);
    expect(stderr).toContain(message);
    expect(stderr).toContain('npm run usage -- --help');
  });
});

test('--help prints the options', async () => {
  const { code, stdout } = await usage(['--help']);
  expect(code).toBe(0);
  expect(stdout).toMatch(/--days <n>[\s\S]*--widget <id>[\s\S]*--json[\s\S]*--table <name>[\s\S]*--outputs <file>/);
});

test('with npm start stopped it opens the data folder and prints the table with a chart', async () => {
  await (await seedDataFolder()).close();

  const { code, stdout } = await usage([]);

  expect(code).toBe(0);
  expect(stdout).toContain('Perch usage, 2026-11-18 → 2026-11-24 UTC (7 days; today still counting)');
  expect(stdout).toContain('(npm start not running)');
  const row = stdout.split('\n').find((line) => line.startsWith('docs-bot'));
  expect(row?.split(/\s{2,}/)).toEqual([
    'docs-bot',
    '4',
    '16',
    '17,200',
    '4,000',
    '$0.0305',
    '·····█▃',
    'widget_rate_limit 2',
  ]);
  expect(stdout).toMatch(/^not-applied +0 +0 +0 +0 +\$0\.0000 +······· +—$/m);
});

test('with npm start running it reads through the published endpoint (the folder stays locked)', async () => {
  const running = await seedDataFolder();
  writeFileSync(
    join(dataDir, LOCAL_ENDPOINT_FILE),
    JSON.stringify({ endpoint: running.endpoint, pid: process.pid, table: DEFAULT_TABLE_NAME }),
  );
  try {
    const { code, stdout } = await usage(['--widget', 'docs-bot']);

    expect(code).toBe(0);
    expect(stdout).toContain(`(npm start running, pid ${process.pid})`);
    expect(stdout).toMatch(/^2026-11-23 +3 +12 +14,200 +3,100 +\$0\.0244 +█{30} +widget_rate_limit 2$/m);
    expect(stdout).toMatch(/^2026-11-24 +1 +4 +3,000 +900 +\$0\.0061 +█{10} +—$/m);
  } finally {
    await running.close();
  }
});

test('an endpoint file left by a process that is gone is ignored', async () => {
  await (await seedDataFolder()).close();
  const gone = spawnSync(process.execPath, ['-e', '0']).pid;
  writeFileSync(
    join(dataDir, LOCAL_ENDPOINT_FILE),
    JSON.stringify({ endpoint: 'http://127.0.0.1:9', pid: gone, table: DEFAULT_TABLE_NAME }),
  );

  const { code, stdout } = await usage(['--json']);

  expect(code).toBe(0);
  expect(JSON.parse(stdout).widgets[0]).toMatchObject({ widgetId: 'docs-bot', totals: { messages: 16 } });
});

test('--json prints the whole report as JSON', async () => {
  await (await seedDataFolder()).close();

  const { stdout } = await usage(['--json', '--days', '2', '--widget', 'docs-bot']);

  const report = JSON.parse(stdout);
  expect(report.days).toEqual(['2026-11-23', '2026-11-24']);
  expect(report.widgets).toHaveLength(1);
  expect(report.widgets[0].days[0]).toEqual({
    day: '2026-11-23',
    source: 'counter',
    sessions: 3,
    messages: 12,
    inputTokens: 14_200,
    outputTokens: 3_100,
    costUsd: 0.0244,
    refusals: { widget_rate_limit: 2 },
  });
});

test('no data folder, an unknown widget and a broken config are explained', async () => {
  const missing = await usage([]);
  await (await seedDataFolder()).close();
  const unknown = await usage(['--widget', 'nope']);
  const brokenConfig = join(dir, 'broken.config.ts');
  writeFileSync(brokenConfig, 'export default { widgets: 1 };\n');
  const broken = await usage([], { PERCH_DATA_DIR: dataDir, PERCH_CONFIG: brokenConfig });

  expect(missing).toMatchObject({ code: 1, stdout: '' });
  expect(missing.stderr).toContain('no local data in');
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toContain('error: no widget "nope"');
  expect(broken.code).toBe(0);
  expect(broken.stderr).toMatch(/note: .*broken\.config\.ts not read \(invalid config/);
  expect(broken.stdout).toContain('docs-bot');
});

describe('an AWS table (the SDK endpoint pointed at dynalite)', () => {
  let db: LocalDatabase;
  const saved = { ...process.env };
  beforeEach(async () => {
    db = await startLocalDatabase();
    await seedDataFolder(db);
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    });
  });
  afterEach(async () => {
    process.env = { ...saved };
    await db.close();
  });

  test('--table reads it with the region given', async () => {
    const { code, stdout } = await usage(['--table', DEFAULT_TABLE_NAME, '--region', 'eu-west-1']);
    expect(code).toBe(0);
    expect(stdout).toContain(`DynamoDB table ${DEFAULT_TABLE_NAME} (eu-west-1)`);
    expect(stdout).toMatch(/^docs-bot +4 +16 /m);
  });

  test('--outputs takes the table from `pulumi stack output --json`', async () => {
    const outputs = join(dir, 'outputs.json');
    writeFileSync(outputs, JSON.stringify({ apiUrl: 'https://x', tableName: DEFAULT_TABLE_NAME, region: 'us-east-1' }));
    const { code, stdout } = await usage(['--outputs', outputs, '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).totals.messages).toBe(16);
  });

  test('outputs without a tableName, and a table that does not exist, are clear errors', async () => {
    const outputs = join(dir, 'outputs.json');
    writeFileSync(outputs, JSON.stringify({ apiUrl: 'https://x' }));
    const noName = await usage(['--outputs', outputs]);
    const noTable = await usage(['--table', 'no-such-table', '--region', 'us-east-1']);
    expect(noName).toMatchObject({ code: 1 });
    expect(noName.stderr).toContain('has no "tableName" output');
    expect(noTable).toMatchObject({ code: 1 });
    expect(noTable.stderr).toContain('table not found (check --table / --outputs and --region)');
  });
});
