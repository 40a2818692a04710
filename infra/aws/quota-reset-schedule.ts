import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { type AccountScope, serviceTrustPolicy } from './policies';

/** 00:00 UTC every day: the UTC day boundary the daily limits count by. */
export const QUOTA_RESET_CRON = 'cron(0 0 * * ? *)';

export interface QuotaResetScheduleOptions {
  fn: aws.lambda.Function;
  scope: pulumi.Output<AccountScope>;
  parent?: pulumi.Resource;
}

export interface QuotaResetSchedule {
  schedule: aws.scheduler.Schedule;
  deadLetterQueue: aws.sqs.Queue;
  role: aws.iam.Role;
  policy: aws.iam.RolePolicy;
}

/**
 * EventBridge Scheduler runs the quota-reset function at 00:00 UTC, retrying for a few hours;
 * an invocation that still fails lands in an SQS dead-letter queue to inspect. Correctness does
 * not hang on it (a counter from an earlier day never blocks today), so late is fine.
 */
export function createQuotaResetSchedule({ fn, scope, parent }: QuotaResetScheduleOptions): QuotaResetSchedule {
  const deadLetterQueue = new aws.sqs.Queue(
    'quota-reset-dlq',
    { messageRetentionSeconds: 14 * 24 * 3600, sqsManagedSseEnabled: true },
    { parent },
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
    { parent, dependsOn: [policy] },
  );
  return { schedule, deadLetterQueue, role, policy };
}
