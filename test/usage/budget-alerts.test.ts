import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../functions/records/client';
import { DEFAULT_TABLE_NAME } from '../../functions/records/table';
import { budgetLevel } from '../../functions/usage/budget-alerts';
import { counterKey } from '../../functions/usage/counter-record';
import { utcDay } from '../../functions/usage/day';
import { localClientConfig } from '../../infra/local/database';
import { type LocalTarget, startLocalTarget } from '../../infra/local/target';
import { writeConfigFile } from '../fixtures/config-file';

// Local parity with the AWS budget alarms: the usage page names, for today, each widget past 80 %
// of its dailyBudgetUsd and each whose budget is spent (new messages refused until 00:00 UTC).
test.each<[number, number | undefined, string | undefined]>([
  [0.79, 1, undefined],
  [0.8, 1, 'warning'],
  [0.99, 1, 'warning'],
  [1, 1, 'cap_reached'],
  [1.5, 1, 'cap_reached'],
  [100, undefined, undefined],
  [0, 0, undefined],
])('cost %p against a budget of %p: %p', (cost, budget, level) => {
  expect(budgetLevel(cost, budget)).toBe(level);
});

describe('the usage page', () => {
  let dir: string;
  let target: LocalTarget;
  const widget = (dailyBudgetUsd?: number) => ({
    name: 'W',
    model: 'local',
    faq: [{ question: 'Q?', answer: 'A.' }],
    limits: { perMinute: 60, perDay: 1000, ...(dailyBudgetUsd === undefined ? {} : { dailyBudgetUsd }) },
  });
  const costToday: Record<string, number> = { warned: 4.2, capped: 2.1, calm: 1, unbudgeted: 100 };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'perch-budget-alerts-'));
    const configFile = join(dir, 'widgets.config.ts');
    writeConfigFile(configFile, {
      models: { local: { provider: 'faq' } },
      widgets: { warned: widget(5), capped: widget(2), calm: widget(10), unbudgeted: widget() },
    });
    target = await startLocalTarget({ configFile, port: 0, log: () => undefined });
    const client = new DynamoDBClient(localClientConfig(target.databaseEndpoint));
    for (const [widgetId, costUsd] of Object.entries(costToday)) {
      await createDocumentClient(client).send(
        new PutCommand({
          TableName: DEFAULT_TABLE_NAME,
          Item: { ...counterKey(widgetId, utcDay(Date.now())), messages: 10, costUsd, expiresAt: 2_000_000_000 },
        }),
      );
    }
    client.destroy();
  });
  afterAll(async () => {
    await target?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('lists the widgets at 80 % and at their cap today, and no other', async () => {
    const response = await fetch(`${target.apiUrl}/_perch/usage`);
    const body = await response.text();
    const alerts = body.slice(body.indexOf('<h2>Alerts today</h2>'), body.indexOf('<h2>Messages per day'));

    expect(response.status).toBe(200);
    expect(alerts).toContain(
      '<li>warned: <strong>80 % of the daily budget</strong>: $4.20 of its $5.00 daily budget (84 %)</li>',
    );
    expect(alerts).toContain(
      '<li>capped: <strong>daily budget reached</strong>: $2.10 of its $2.00 daily budget (105 %); ',
    );
    expect(alerts).toContain('new messages are refused with budget_exhausted until 00:00 UTC');
    expect(alerts).not.toContain('calm');
    expect(alerts).not.toContain('unbudgeted');
  });
});
