import type * as aws from '@pulumi/aws';
import type { ErrorCode } from '../../functions/errors/perch-error';
import { METRIC, METRICS_NAMESPACE, refusalDimensions, widgetDimensions } from '../../functions/metrics/metric-names';
import type { ResolvedWidget } from '../config/resolve';
import type { PerchApi } from './api';
import type { PerchFunction } from './functions';
import type { AlarmThresholds } from './stack-settings';

const FIVE_MINUTES = 300;
const BUDGET_EXHAUSTED: ErrorCode = 'budget_exhausted';

/** An alarm's metric and rule; its actions (the alerts topic) are added where it is created. */
export interface AlarmSpec {
  /** The Pulumi resource name, unique in the stack. */
  name: string;
  args: Omit<aws.cloudwatch.MetricAlarmArgs, 'alarmActions' | 'okActions'>;
}

export interface PerchAlarmsOptions {
  stack: string;
  functions: ReadonlyMap<string, Pick<PerchFunction, 'fn'>>;
  api: Pick<PerchApi, 'api' | 'stage'>;
  /** The quota reset's dead-letter queue: a message there is a day not rolled into history. */
  deadLetterQueue: Pick<aws.sqs.Queue, 'name'>;
  widgets: readonly Pick<ResolvedWidget, 'id' | 'limits'>[];
  thresholds: AlarmThresholds;
}

/**
 * Every alarm of a stack. Counts (errors, throttles, 5xx, refusals) treat missing data as not
 * breaching: CloudWatch gets no datapoint when nothing happened, and nothing happening is healthy.
 */
export function perchAlarms({
  stack,
  functions,
  api,
  deadLetterQueue,
  widgets,
  thresholds,
}: PerchAlarmsOptions): AlarmSpec[] {
  const count = (threshold: number) => ({
    statistic: 'Sum',
    period: FIVE_MINUTES,
    evaluationPeriods: 1,
    threshold,
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
    treatMissingData: 'notBreaching',
  });
  const functionAlarms = [...functions].flatMap(([name, { fn }]): AlarmSpec[] => [
    {
      name: `${name}-errors`,
      args: {
        alarmDescription: `Perch ${stack}: the ${name} function threw or timed out; see its log group`,
        namespace: 'AWS/Lambda',
        metricName: 'Errors',
        dimensions: { FunctionName: fn.name },
        ...count(thresholds.functionErrors),
      },
    },
    {
      name: `${name}-throttles`,
      args: {
        alarmDescription: `Perch ${stack}: the ${name} function was throttled (account concurrency reached)`,
        namespace: 'AWS/Lambda',
        metricName: 'Throttles',
        dimensions: { FunctionName: fn.name },
        ...count(thresholds.functionThrottles),
      },
    },
  ]);
  const widgetAlarms = widgets.flatMap((widget) => [
    ttftAlarm(stack, widget.id, thresholds.ttftP95Ms),
    ...budgetAlarms(stack, widget, thresholds.budgetWarningPercent),
  ]);
  return [
    ...functionAlarms,
    {
      name: 'api-5xx',
      args: {
        alarmDescription: `Perch ${stack}: the API answered 5xx (function errors, model outages, budget refusals)`,
        namespace: 'AWS/ApiGateway',
        metricName: '5XXError',
        // A REST API publishes by ApiName (and Stage); ApiId is the HTTP and WebSocket APIs' dimension.
        dimensions: { ApiName: api.api.name, Stage: api.stage.stageName },
        ...count(thresholds.api5xx),
      },
    },
    {
      name: 'quota-reset-dlq',
      args: {
        alarmDescription: `Perch ${stack}: a nightly quota reset failed; its event waits in the dead-letter queue`,
        namespace: 'AWS/SQS',
        metricName: 'ApproximateNumberOfMessagesVisible',
        dimensions: { QueueName: deadLetterQueue.name },
        statistic: 'Maximum',
        period: FIVE_MINUTES,
        evaluationPeriods: 1,
        threshold: 0,
        comparisonOperator: 'GreaterThanThreshold',
        // SQS publishes for a queue that holds messages; no datapoint means empty and idle.
        treatMissingData: 'notBreaching',
      },
    },
    ...widgetAlarms,
  ];
}

/**
 * One alarm per widget on its own dimension set: an alarm cannot SEARCH across widgets, and
 * percentiles of different widgets do not combine by metric math. Three slow 5-minute periods in
 * a row, so one slow answer does not page anyone.
 */
function ttftAlarm(stack: string, widgetId: string, thresholdMs: number): AlarmSpec {
  return {
    name: `${widgetId}-ttft-p95`,
    args: {
      alarmDescription: `Perch ${stack}: widget ${widgetId}'s p95 time to first token is over ${thresholdMs} ms`,
      namespace: METRICS_NAMESPACE,
      metricName: METRIC.timeToFirstTokenMs,
      dimensions: widgetDimensions(stack, widgetId),
      extendedStatistic: 'p95',
      period: FIVE_MINUTES,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      threshold: thresholdMs,
      comparisonOperator: 'GreaterThanThreshold',
      // No messages, no latency to judge: an idle widget is not slow.
      treatMissingData: 'notBreaching',
    },
  };
}

/**
 * A widget with `dailyBudgetUsd` warns at a share of it and says when its cap refuses visitors.
 * The cap alarm counts `budget_exhausted` refusals rather than DayCostUsd ≥ 100 %: admission
 * refuses a message whose reserved cost would not fit, so the day's cost can stop short of the
 * budget while every visitor is refused.
 */
function budgetAlarms(
  stack: string,
  { id, limits }: Pick<ResolvedWidget, 'id' | 'limits'>,
  warningPercent: number,
): AlarmSpec[] {
  const budget = limits.dailyBudgetUsd;
  if (budget === undefined) return [];
  return [
    {
      name: `${id}-budget-warning`,
      args: {
        alarmDescription: `Perch ${stack}: widget ${id} has spent ${warningPercent} % of its $${budget} daily budget`,
        namespace: METRICS_NAMESPACE,
        metricName: METRIC.dayCostUsd,
        dimensions: widgetDimensions(stack, id),
        statistic: 'Maximum',
        period: FIVE_MINUTES,
        evaluationPeriods: 1,
        threshold: shareOf(budget, warningPercent),
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        // A gauge sent with each message: a quiet spell says nothing about today's cost, so the
        // state holds until the next message (the new day's first one clears it).
        treatMissingData: 'ignore',
      },
    },
    {
      name: `${id}-budget-cap`,
      args: {
        alarmDescription: `Perch ${stack}: widget ${id} reached its $${budget} daily budget and refuses messages`,
        namespace: METRICS_NAMESPACE,
        metricName: METRIC.refusals,
        dimensions: refusalDimensions(stack, id, BUDGET_EXHAUSTED),
        statistic: 'Sum',
        period: FIVE_MINUTES,
        evaluationPeriods: 1,
        threshold: 1,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        // Refusals are counted only when they happen: none is healthy.
        treatMissingData: 'notBreaching',
      },
    },
  ];
}

// 1.1 × 90 / 100 is 0.9900000000000001 in floating point; the alarm shows its threshold.
const shareOf = (usd: number, percent: number) => Number(((usd * percent) / 100).toPrecision(12));
