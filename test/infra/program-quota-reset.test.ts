import { QUOTA_RESET } from '../../functions/routes';
import { useDeployedProgram } from './deployed-program';
import { ALL_FUNCTIONS } from './fixtures';
import { wildcardGrants } from './iam';
import { ACCOUNT_ID } from './mock-engine';

// The Pulumi program under the mock engine (see deployed-program.ts): the quota reset's schedule
// and its failure path (Scheduler retries delivery, Lambda retries the run, then the queue).
const program = useDeployedProgram('program-quota-reset');
const { one, outputsOf, lambdaNamed, policyOfRole } = program;
const queueArn = () => outputsOf('aws:sqs/queue:Queue').arn;
const sendMessageGrants = (roleName: string): string[] =>
  policyOfRole(roleName)
    .Statement.filter((s: any) => s.Action.includes('sqs:SendMessage'))
    .flatMap((s: any) => s.Resource);

describe('the quota reset schedule', () => {
  test('runs the reset function at 00:00 UTC with retries and a dead-letter queue', () => {
    const schedule = one('aws:scheduler/schedule:Schedule').inputs;
    expect(schedule.scheduleExpression).toBe('cron(0 0 * * ? *)');
    expect(schedule.scheduleExpressionTimezone).toBe('UTC');
    expect(schedule.target.arn).toBe(lambdaNamed(QUOTA_RESET.name).outputs.arn);
    expect(schedule.target.retryPolicy.maximumRetryAttempts).toBeGreaterThan(0);
    expect(schedule.target.deadLetterConfig.arn).toBe(outputsOf('aws:sqs/queue:Queue').arn);
  });

  test('its role may invoke only the reset function and write only to its dead-letter queue', () => {
    const role = program.deployment.named('quota-reset-scheduler-role');
    expect(one('aws:scheduler/schedule:Schedule').inputs.target.roleArn).toBe(role.outputs.arn);
    expect(JSON.parse(role.inputs.assumeRolePolicy).Statement[0]).toMatchObject({
      Principal: { Service: 'scheduler.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT_ID } },
    });
    expect(policyOfRole('quota-reset-scheduler-role').Statement).toEqual([
      {
        Sid: 'InvokeQuotaReset',
        Effect: 'Allow',
        Action: ['lambda:InvokeFunction'],
        Resource: [lambdaNamed(QUOTA_RESET.name).outputs.arn],
      },
      {
        Sid: 'DeadLetters',
        Effect: 'Allow',
        Action: ['sqs:SendMessage'],
        Resource: [outputsOf('aws:sqs/queue:Queue').arn],
      },
    ]);
  });
});

describe('a quota reset that throws or times out', () => {
  test('is retried twice by Lambda, then sent to the dead-letter queue by the on-failure destination', () => {
    const config = one('aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig');
    expect(config.inputs).toEqual({
      functionName: lambdaNamed(QUOTA_RESET.name).outputs.name,
      qualifier: '$LATEST',
      maximumRetryAttempts: 2,
      maximumEventAgeInSeconds: 6 * 3600,
      destinationConfig: { onFailure: { destination: queueArn() } },
    });
  });

  test('the on-failure destination is written after the function role may send to the queue', () => {
    const policyUrn = expect.stringMatching(/::aws:iam\/rolePolicy:RolePolicy::quota-reset-policy$/);
    const configUrn = expect.stringMatching(/::quota-reset-async-invoke$/);
    expect(one('aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig').dependsOn).toEqual(
      expect.arrayContaining([policyUrn]),
    );
    expect(one('aws:scheduler/schedule:Schedule').dependsOn).toEqual(expect.arrayContaining([configUrn]));
  });

  test('only the quota-reset function role may sqs:SendMessage, only on that queue', () => {
    expect(sendMessageGrants('quota-reset-role')).toEqual([queueArn()]);
    expect(policyOfRole('quota-reset-role').Statement.find((s: any) => s.Sid === 'FailedRuns')).toEqual({
      Sid: 'FailedRuns',
      Effect: 'Allow',
      Action: ['sqs:SendMessage'],
      Resource: [queueArn()],
    });
    expect(wildcardGrants(policyOfRole('quota-reset-role'))).toEqual([]);
    for (const fn of ALL_FUNCTIONS.filter((f) => f.name !== QUOTA_RESET.name))
      expect(sendMessageGrants(`${fn.name}-role`)).toEqual([]);
  });

  test('the queue is encrypted by SQS itself (no KMS key for either sender to be granted)', () => {
    expect(one('aws:sqs/queue:Queue').inputs).toEqual({
      messageRetentionSeconds: 14 * 24 * 3600,
      sqsManagedSseEnabled: true,
    });
  });
});
