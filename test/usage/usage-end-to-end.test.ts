import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { admitMessage } from '../../functions/limits/admit-message';
import { createDocumentClient } from '../../functions/records/client';
import { DEFAULT_TABLE_NAME } from '../../functions/records/table';
import { nextUtcMidnight, utcDay } from '../../functions/usage/day';
import type { UsageReport } from '../../functions/usage/report';
import { rollUpUsage } from '../../functions/usage/roll-up';
import { localClientConfig } from '../../infra/local/database';
import { type LocalTarget, startLocalTarget } from '../../infra/local/target';
import { runUsageCli } from '../../infra/usage/cli';
import { LOCAL_ENDPOINT_FILE, type LocalEndpoint } from '../../infra/usage/local-endpoint';
import { writeConfigFile } from '../fixtures/config-file';

// Real visitor traffic through the local target (sessions, messages, refusals), then the
// report read by `npm run usage` while the target runs and after it stopped, and the quota
// reset across the next UTC midnight with the limits code's own admission.
const ALLOWED = 'http://localhost:3000';
const LIMITS = { perMinute: 100, perDay: 5 };
let dir: string;
let dataDir: string;
let target: LocalTarget | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perch-usage-e2e-'));
  dataDir = join(dir, 'data');
  const configFile = join(dir, 'widgets.config.ts');
  writeConfigFile(configFile, {
    models: { local: { provider: 'faq' } },
    widgets: {
      'docs-bot': {
        name: 'Docs',
        model: 'local',
        allowedOrigins: [ALLOWED],
        limits: LIMITS,
        faq: [{ question: 'How do I rotate the key?', answer: 'Raise keyRotation and apply the config again.' }],
      },
      quiet: { name: 'Quiet', model: 'local', allowedOrigins: [ALLOWED], faq: [{ question: 'Q?', answer: 'A.' }] },
    },
  });
  target = await startLocalTarget({ configFile, port: 0, dataDir, log: () => undefined });
});

afterAll(async () => {
  await target?.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${target!.apiUrl}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', Origin: ALLOWED, ...headers },
    body: JSON.stringify(body),
  });

async function usageJson(args: string[], now = Date.now()): Promise<UsageReport> {
  let stdout = '';
  const code = await runUsageCli(['--json', ...args], {
    env: { PERCH_DATA_DIR: dataDir, PERCH_CONFIG: join(dir, 'widgets.config.ts') },
    stdout: { write: (s: string) => (stdout += s) !== undefined },
    stderr: { write: () => true },
    now: () => now,
  });
  expect(code).toBe(0);
  return JSON.parse(stdout) as UsageReport;
}

test('the report counts exactly the sessions, messages, tokens and refusals the API answered', async () => {
  const key = target!.outputs.widgets['docs-bot']!.publicKey;
  const expected = {
    sessions: 0,
    messages: 0,
    inputTokens: 0,
    outputTokens: 0,
    refusals: {} as Record<string, number>,
  };
  const refused = async (response: Response) => {
    const { error } = (await response.json()) as { error: { code: string } };
    expected.refusals[error.code] = (expected.refusals[error.code] ?? 0) + 1;
  };

  for (let session = 0; session < 2; session++) {
    const started = await post('/v1/sessions', { key });
    expect(started.status).toBe(201);
    expected.sessions++;
    const { sessionId, token } = (await started.json()) as { sessionId: string; token: string };
    for (let turn = 0; turn < 4; turn++) {
      const reply = await post(
        `/v1/sessions/${sessionId}/messages`,
        { text: 'How do I rotate the key?' },
        { Authorization: `Bearer ${token}` },
      );
      if (reply.status !== 200) {
        expect(reply.status).toBe(429);
        await refused(reply);
        continue;
      }
      const { usage } = (await reply.json()) as { usage: { inputTokens: number; outputTokens: number } };
      expected.messages++;
      expected.inputTokens += usage.inputTokens;
      expected.outputTokens += usage.outputTokens;
    }
  }
  const foreign = await post('/v1/sessions', { key }, { Origin: 'https://evil.example' });
  expect(foreign.status).toBe(403);
  await refused(foreign);

  const report = await usageJson(['--days', '1']);

  // Two sessions of four turns against perDay 5: three turns refused (429), one foreign session start (403).
  expect(expected.messages).toBe(LIMITS.perDay);
  expect(Object.values(expected.refusals).reduce((a, b) => a + b)).toBe(4);
  expect(expected.refusals.widget_origin_denied).toBe(1);
  const docs = report.widgets.find((w) => w.widgetId === 'docs-bot')!;
  expect(docs.totals).toEqual({ ...expected, costUsd: 0 });
  expect(report.widgets.find((w) => w.widgetId === 'quiet')!.totals.messages).toBe(0);
});

test(
  'after midnight today is unblocked without the job, ' + 'the job copies yesterday, and the report still adds up',
  async () => {
    const endpoint = JSON.parse(readFileSync(join(dataDir, LOCAL_ENDPOINT_FILE), 'utf8')) as LocalEndpoint;
    const client = new DynamoDBClient(localClientConfig(endpoint.endpoint));
    const doc = createDocumentClient(client);
    const yesterday = utcDay(Date.now());
    const midnight = nextUtcMidnight(Date.now());
    const before = (await usageJson(['--widget', 'docs-bot', '--days', '1'])).widgets[0]!.totals;
    try {
      // The day's cap is spent; a second after midnight the limits code admits again — no job has run.
      await expect(
        admitMessage({ doc, table: DEFAULT_TABLE_NAME, widgetId: 'docs-bot', limits: LIMITS, now: midnight - 1000 }),
      ).rejects.toMatchObject({
        status: 429,
      });
      await admitMessage({
        doc,
        table: DEFAULT_TABLE_NAME,
        widgetId: 'docs-bot',
        limits: LIMITS,
        now: midnight + 1000,
      });

      const summary = await rollUpUsage({ doc, table: DEFAULT_TABLE_NAME, now: () => midnight + 5000 });
      const again = await rollUpUsage({ doc, table: DEFAULT_TABLE_NAME, now: () => midnight + 6000 });

      expect(summary).toMatchObject({ daysCopied: 1, complete: true });
      expect(again).toMatchObject({ daysCopied: 0, daysCurrent: 1 });
    } finally {
      client.destroy();
    }
    await target!.close();
    target = undefined;
    expect(existsSync(join(dataDir, LOCAL_ENDPOINT_FILE))).toBe(false);

    // npm start stopped: the CLI opens the data folder itself.
    const report = await usageJson(['--widget', 'docs-bot', '--days', '2'], midnight + 60_000);

    const [day1, day2] = report.widgets[0]!.days;
    expect(day1).toMatchObject({ day: yesterday, ...before });
    expect(day2).toMatchObject({ day: utcDay(midnight), messages: 1 });
  },
);
