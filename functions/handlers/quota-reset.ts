import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { createDocumentClient } from '../records/client';
import { tableName } from '../records/table';
import { rollUpUsage, type RollUpSummary } from '../usage/roll-up';

/** Stop starting widgets this long before the Lambda timeout; the next run catches up. */
const STOP_BEFORE_TIMEOUT_MS = 30_000;

const doc = createDocumentClient();
const table = tableName();

/** Lambda: the quota reset at 00:00 UTC (EventBridge Scheduler on AWS, a timer on the local target). */
export const handler = middy<unknown, RollUpSummary>().handler(async (_event: unknown, context: Context) => {
  const summary = await rollUpUsage({
    doc,
    table,
    shouldStop: () => context.getRemainingTimeInMillis() < STOP_BEFORE_TIMEOUT_MS,
  });
  console.info(JSON.stringify(summary));
  return summary;
});
