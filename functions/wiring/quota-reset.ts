import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { type RollUpSummary, rollUpUsage } from '../usage/roll-up';
import type { FunctionDependencies } from './dependencies';

/** Stop starting batches this long before the Lambda timeout; the next run catches up. */
const STOP_BEFORE_TIMEOUT_MS = 30_000;

/** The quota reset at 00:00 UTC (EventBridge Scheduler on AWS, a timer on the local target). */
export function createQuotaResetFunction({ doc, table, logger }: FunctionDependencies) {
  return middy<unknown, RollUpSummary>().handler(async (_event: unknown, context: Context) => {
    const summary = await rollUpUsage({
      doc,
      table,
      shouldStop: () => context.getRemainingTimeInMillis() < STOP_BEFORE_TIMEOUT_MS,
    });
    logger.info('quota reset', { ...summary });
    return summary;
  });
}
