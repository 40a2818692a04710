import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { PerchFunction } from './functions';
import { type AccountScope, serviceTrustPolicy } from './policies';

/** 00:00 UTC every day: the UTC day boundary the daily limits count by. */
export const QUOTA_RESET_CRON = 'cron(0 0 * * ? *)';

/** Lambda's own retries of a run that throws or times out (0–2; the roll-up is idempotent). */
export const QUOTA_RESET_RUN_RETRIES = 2;
/** How long a run may wait in Lambda's async queue (throttled, say) before it goes to the queue. */
export const QUOTA_RESET_MAX_EVENT_AGE_SECONDS = 6 * 3600;

export interface QuotaResetScheduleOptions {
  /** The quota-reset function, whose role's policy lets it send to `deadLetterQueue`. */
  quotaReset: Pick<PerchFunction, 'fn' | 'policy'>;
  deadLetterQueue: aws.sqs.Queue;
  scope: pulumi.Output<AccountScope>;
  parent?: pulumi.Resource;
}

export interface QuotaResetSchedule {
  schedule: aws.scheduler.Schedule;
  deadLetterQueue: aws.sqs.Queue;
  role: aws.iam.Role;
  policy: aws.iam.RolePolicy;
  asyncInvokeConfig: aws.lambda.FunctionEventInvokeConfig;
}

/**
 * Where failed quota resets land: Scheduler's undeliverable invocations and the function's failed
 * runs. SQS-managed encryption, so senders need no KMS grant; same account, so no queue policy.
 */
export function createQuotaResetDeadLetterQueue(parent?: pulumi.Resource): aws.sqs.Queue {
  return new aws.sqs.Queue(
    'quota-reset-dlq',
    { messageRetentionSeconds: 14 * 24 * 3600, sqsManagedSseEnabled: true },
    { parent },
  );
}

/**
 * EventBridge Scheduler runs the quota-reset function at 00:00 UTC. It invokes asynchronously, so
 * its retries and dead-letter queue cover delivery only; a run that throws or times out is retried
 * by Lambda and then sent to the same queue by the function's on-failure destination. Correctness
 * does not hang on it (a counter from an earlier day never blocks today), so late is fine.
 */
export function createQuotaResetSchedule({
  quotaReset: { fn, policy: fnPolicy },
  deadLetterQueue,
  scope,
  parent,
}: QuotaResetScheduleOptions): QuotaResetSchedule {
  const asyncInvokeConfig = new aws.lambda.FunctionEventInvokeConfig(
    'quota-reset-async-invoke',
    {
      functionName: fn.name,
      // Scheduler invokes the unqualified ARN, which runs $LATEST.
      qualifier: '$LATEST',
      maximumRetryAttempts: QUOTA_RESET_RUN_RETRIES,
      maximumEventAgeInSeconds: QUOTA_RESET_MAX_EVENT_AGE_SECONDS,
      destinationConfig: { onFailure: { destination: deadLetterQueue.arn } },
    },
    // Lambda refuses an on-failure destination the function's role cannot send to yet.
    { parent, dependsOn: [fnPolicy] },
  );
  const role = new aws.iam.Role(
    'quota-reset-scheduler-role',
    {
      description: 'EventBridge Scheduler: invoke the Perch quota-reset function only',
      assumeRolePolicy: scope.apply((s) => JSON.stringify(serviceTrustPolicy('scheduler.amazonaws.com', s.accountId))),
    },
    { parent },
  );
  const policy = new aws.iam.RolePolicy(
    'quota-reset-scheduler-policy',
    {
      role: role.id,
      policy: pulumi.all([fn.arn, deadLetterQueue.arn]).apply(([functionArn, queueArn]) =>
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Sid: 'InvokeQuotaReset', Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [functionArn] },
            { Sid: 'DeadLetters', Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [queueArn] },
          ],
        }),
      ),
    },
    { parent },
  );
  const schedule = new aws.scheduler.Schedule(
    'quota-reset-daily',
    {
      description: 'Perch: roll the day’s counters into usage history at 00:00 UTC',
      scheduleExpression: QUOTA_RESET_CRON,
      scheduleExpressionTimezone: 'UTC',
      flexibleTimeWindow: { mode: 'OFF' },
      target: {
        arn: fn.arn,
        roleArn: role.arn,
        retryPolicy: { maximumRetryAttempts: 10, maximumEventAgeInSeconds: 6 * 3600 },
        deadLetterConfig: { arn: deadLetterQueue.arn },
      },
    },
    // No run before its failures have somewhere to go.
    { parent, dependsOn: [policy, asyncInvokeConfig] },
  );
  return { schedule, deadLetterQueue, role, policy, asyncInvokeConfig };
}
