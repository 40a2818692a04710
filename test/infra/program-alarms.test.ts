import { rmSync } from 'node:fs';
import { METRIC, METRICS_NAMESPACE, refusalDimensions, widgetDimensions } from '../../functions/metrics/metric-names';
import { listLoaderFiles } from '../../infra/aws/loader-hosting';
import { createPerch } from '../../infra/aws/perch';
import { readStackSettings, type StackSettings } from '../../infra/aws/stack-settings';
import type { FunctionBundle } from '../../infra/build/bundle-functions';
import { validateConfig } from '../../infra/config/load';
import { resolveConfig } from '../../infra/config/resolve';
import { DEV } from './deployed-program';
import { ALL_FUNCTIONS, bundleAll, fakeLoaderBuild, scratchDir, TEST_CONFIG } from './fixtures';
import { wildcardGrants } from './iam';
import { type Deployment, MockEngine, type MockResource } from './mock-engine';

// The alerts topic, its subscribers and the alarms, under the mock engine: TEST_CONFIG with an
// alerts block, a prod override of it, and one widget with a daily budget.
const CONFIG = {
  ...TEST_CONFIG,
  widgets: { ...TEST_CONFIG.widgets, support: { ...TEST_CONFIG.widgets.support, limits: { dailyBudgetUsd: 1.1 } } },
  alerts: { email: ['ops@example.com', 'Dev.Lead@example.org'], webhook: 'https://hooks.example.com/perch' },
  stacks: { ...TEST_CONFIG.stacks, prod: { alerts: { email: ['prod-ops@example.com'] } } },
};
const WIDGET_IDS = Object.keys(CONFIG.widgets).sort();

let root: string;
let bundles: FunctionBundle[];
let loaderDir: string;
/** createPerch for `stack`, its settings read from the stack's `perch:` config unless given. */
const deploy = (stack: string, config: Record<string, string> = {}, settings?: StackSettings) =>
  new MockEngine().run(
    () => {
      const perch = createPerch({
        config: resolveConfig(validateConfig(CONFIG), stack),
        bundles,
        loaderFiles: listLoaderFiles(loaderDir),
        settings: settings ?? readStackSettings(),
      });
      return { outputs: perch.outputs };
    },
    { stack, config },
  );

let dev: Deployment<unknown>;
beforeAll(async () => {
  root = scratchDir('program-alarms');
  bundles = await bundleAll(root);
  loaderDir = fakeLoaderBuild(root);
  dev = await deploy('dev', {}, DEV);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const topicArn = () => dev.named('alerts').outputs.arn as string;
const alarm = (d: Deployment<unknown>, name: string): MockResource => d.named(`${name}-alarm`);
const subscriptionsOf = (d: Deployment<unknown>) =>
  d.byType('aws:sns/topicSubscription:TopicSubscription').map((s) => s.inputs);

/** What every alarm of a count shares: 5 minutes, one period, no datapoint is healthy. */
const countOf = (threshold: number) => ({
  statistic: 'Sum',
  period: 300,
  evaluationPeriods: 1,
  threshold,
  comparisonOperator: 'GreaterThanOrEqualToThreshold',
  treatMissingData: 'notBreaching',
});
const withActions = (rule: object) => ({
  ...rule,
  alarmDescription: expect.stringMatching(/^Perch dev: /),
  alarmActions: [topicArn()],
  okActions: [topicArn()],
});

describe('the alerts topic', () => {
  test('is one SNS topic for the stack, its name the sender of the alert emails', () => {
    expect(dev.byType('aws:sns/topic:Topic').map((t) => t.inputs)).toEqual([{ displayName: 'Perch dev' }]);
  });

  test('has an email subscription per configured address and an https one for the webhook', () => {
    expect(subscriptionsOf(dev)).toEqual([
      { topic: topicArn(), protocol: 'email', endpoint: 'ops@example.com' },
      { topic: topicArn(), protocol: 'email', endpoint: 'Dev.Lead@example.org' },
      { topic: topicArn(), protocol: 'https', endpoint: 'https://hooks.example.com/perch' },
    ]);
  });

  test("a stack's own alerts replace the subscriptions as a whole", async () => {
    const prod = await deploy('prod', {}, DEV);
    expect(subscriptionsOf(prod)).toEqual([
      { topic: prod.named('alerts').outputs.arn, protocol: 'email', endpoint: 'prod-ops@example.com' },
    ]);
  });

  test('adds no topic policy and no IAM grant with a wildcard', () => {
    expect(dev.byType('aws:sns/topicPolicy:TopicPolicy')).toEqual([]);
    for (const policy of dev.byType('aws:iam/rolePolicy:RolePolicy'))
      expect(wildcardGrants(policy.inputs.policy)).toEqual([]);
  });
});

describe('the alarms', () => {
  test('every one notifies the topic going into and out of alarm', () => {
    const alarms = dev.byType('aws:cloudwatch/metricAlarm:MetricAlarm');
    // Errors and throttles per function, the API, the queue, TTFT per widget, two for the one budget.
    expect(alarms).toHaveLength(2 * ALL_FUNCTIONS.length + 2 + WIDGET_IDS.length + 2);
    for (const { inputs } of alarms) {
      expect(inputs.alarmActions).toEqual([topicArn()]);
      expect(inputs.okActions).toEqual([topicArn()]);
    }
  });

  const functionCases = ALL_FUNCTIONS.flatMap((fn) => [
    [fn.name, 'errors', 'Errors'],
    [fn.name, 'throttles', 'Throttles'],
  ]);
  test.each(functionCases)('function %s: its %s (AWS/Lambda %s ≥ 1 in 5 minutes)', (fn, suffix, metricName) => {
    const functionName = dev.byType('aws:lambda/function:Function').find((f) => f.name === fn)!.outputs.name;
    expect(alarm(dev, `${fn}-${suffix}`).inputs).toEqual(
      withActions({ namespace: 'AWS/Lambda', metricName, dimensions: { FunctionName: functionName }, ...countOf(1) }),
    );
  });

  test('API Gateway 5xx: 5XXError ≥ 5 in 5 minutes on the REST API by ApiName and its stage', () => {
    expect(alarm(dev, 'api-5xx').inputs).toEqual(
      withActions({
        namespace: 'AWS/ApiGateway',
        metricName: '5XXError',
        dimensions: { ApiName: dev.byType('aws:apigateway/restApi:RestApi')[0]!.outputs.name, Stage: 'live' },
        ...countOf(5),
      }),
    );
  });

  test('the quota-reset dead-letter queue holds any message', () => {
    expect(alarm(dev, 'quota-reset-dlq').inputs).toEqual(
      withActions({
        namespace: 'AWS/SQS',
        metricName: 'ApproximateNumberOfMessagesVisible',
        dimensions: { QueueName: dev.named('quota-reset-dlq').outputs.name },
        statistic: 'Maximum',
        period: 300,
        evaluationPeriods: 1,
        threshold: 0,
        comparisonOperator: 'GreaterThanThreshold',
        treatMissingData: 'notBreaching',
      }),
    );
  });

  test.each(WIDGET_IDS)('widget %s: p95 time to first token above 5,000 ms for 3 × 5 minutes', (id) => {
    expect(alarm(dev, `${id}-ttft-p95`).inputs).toEqual(
      withActions({
        namespace: METRICS_NAMESPACE,
        metricName: METRIC.timeToFirstTokenMs,
        dimensions: widgetDimensions('dev', id),
        extendedStatistic: 'p95',
        period: 300,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        threshold: 5000,
        comparisonOperator: 'GreaterThanThreshold',
        treatMissingData: 'notBreaching',
      }),
    );
  });

  test("a budgeted widget warns when its day's cost reaches 80 % of dailyBudgetUsd", () => {
    expect(alarm(dev, 'support-budget-warning').inputs).toEqual(
      withActions({
        namespace: METRICS_NAMESPACE,
        metricName: METRIC.dayCostUsd,
        dimensions: widgetDimensions('dev', 'support'),
        statistic: 'Maximum',
        period: 300,
        evaluationPeriods: 1,
        threshold: 0.88,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        treatMissingData: 'ignore',
      }),
    );
  });

  test('a budgeted widget says when its cap refuses a message (Refusals with code budget_exhausted)', () => {
    expect(alarm(dev, 'support-budget-cap').inputs).toEqual(
      withActions({
        namespace: METRICS_NAMESPACE,
        metricName: METRIC.refusals,
        dimensions: refusalDimensions('dev', 'support', 'budget_exhausted'),
        ...countOf(1),
      }),
    );
  });

  test('a widget without dailyBudgetUsd has no budget alarm', () => {
    const budgetAlarms = dev.resources.filter((r) => /-budget-(warning|cap)-alarm$/.test(r.name)).map((r) => r.name);
    expect(budgetAlarms.sort()).toEqual(['support-budget-cap-alarm', 'support-budget-warning-alarm']);
  });
});

describe('alarm thresholds from Pulumi.<stack>.yaml', () => {
  test('replace the defaults', async () => {
    const staging = await deploy('staging', {
      alarmTtftP95Ms: '8000',
      alarmFunctionErrors: '3',
      alarmFunctionThrottles: '2',
      alarmApi5xx: '20',
      alarmBudgetWarningPercent: '90',
    });
    expect(alarm(staging, 'faq-ttft-p95').inputs.threshold).toBe(8000);
    expect(alarm(staging, 'messages-errors').inputs.threshold).toBe(3);
    expect(alarm(staging, 'messages-throttles').inputs.threshold).toBe(2);
    expect(alarm(staging, 'api-5xx').inputs.threshold).toBe(20);
    expect(alarm(staging, 'support-budget-warning').inputs.threshold).toBe(0.99);
    expect(alarm(staging, 'faq-ttft-p95').inputs.dimensions).toEqual(widgetDimensions('staging', 'faq'));
  });

  const badSettings: [string, string, string][] = [
    ['alarmTtftP95Ms', 'fast', 'perch:alarmTtftP95Ms must be a whole number from 100 to 120000 (got "fast")'],
    ['alarmTtftP95Ms', '2.5', 'perch:alarmTtftP95Ms must be a whole number from 100 to 120000 (got "2.5")'],
    ['alarmFunctionErrors', '0', 'perch:alarmFunctionErrors must be a whole number from 1 to 100000 (got "0")'],
    ['alarmApi5xx', '-1', 'perch:alarmApi5xx must be a whole number from 1 to 100000 (got "-1")'],
    [
      'alarmBudgetWarningPercent',
      '100',
      'perch:alarmBudgetWarningPercent must be a whole number from 1 to 99 (got "100")',
    ],
  ];
  test.each(badSettings)('perch:%s %s is refused with the allowed range', async (setting, value, message) => {
    await expect(deploy('staging', { [setting]: value })).rejects.toThrow(message);
  });
});
