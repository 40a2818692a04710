import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import type { RollUpSummary } from '../../functions/usage/roll-up';
import { localSdkEnvironment } from '../../infra/local/database';
import { startUsageTable, TABLE, type UsageTable } from './usage-table';

// The Lambda module builds its client at import (cold start), so the SDK environment is set first.
let table: UsageTable;
let handler: (event: unknown, context: Context) => Promise<RollUpSummary>;
const saved = { ...process.env };
const lines: Record<string, unknown>[] = [];

beforeAll(async () => {
  table = await startUsageTable();
  Object.assign(process.env, localSdkEnvironment(table.db.endpoint, TABLE));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  handler = require('../../functions/handlers/quota-reset').handler;
  jest.spyOn(Logger.prototype, 'info').mockImplementation((_message, ...extra) => {
    lines.push(extra[0] as Record<string, unknown>);
  });
});
afterAll(async () => {
  jest.restoreAllMocks();
  process.env = saved;
  await table.close();
});
beforeEach(() => {
  lines.length = 0;
});

const context = (remainingMs: number) => ({ getRemainingTimeInMillis: () => remainingMs }) as Context;
const yesterdayNoon = () => Date.now() - 86_400_000;

test('a scheduled invocation rolls up yesterday and logs one summary', async () => {
  await table.putWidget('docs-bot');
  await table.putCounter('docs-bot', yesterdayNoon(), { messages: 3 });

  const summary = await handler({ source: 'aws.scheduler' }, context(900_000));

  expect(summary).toMatchObject({ job: 'quota-reset', daysCopied: 1, complete: true });
  expect(lines).toHaveLength(1);
  expect(lines[0]).toEqual(summary);
});

test('close to the Lambda timeout it stops starting widgets and says the run is incomplete', async () => {
  await table.putWidget('late-bot');
  await table.putCounter('late-bot', yesterdayNoon(), { messages: 1 });

  const summary = await handler({}, context(10_000));

  expect(summary).toMatchObject({ complete: false, daysCopied: 0 });
  expect(lines[0]).toMatchObject({ complete: false });
});
