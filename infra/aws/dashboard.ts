import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import {
  METRIC,
  METRICS_NAMESPACE,
  type MetricName,
  refusalDimensions,
  widgetDimensions,
} from '../../functions/metrics/metric-names';
import type { PerchFunction } from './functions';

export interface PerchDashboardOptions {
  /** The stack's widget ids (`config.widgets`): one line each in the per-widget graphs. */
  widgetIds: readonly string[];
  functions: ReadonlyMap<string, Pick<PerchFunction, 'fn'>>;
  api: aws.apigateway.RestApi;
  /** The quota-reset dead-letter queue. */
  deadLetterQueue: aws.sqs.Queue;
  /** The stack's region: a dashboard graph reads the metrics of the region it names. */
  region: pulumi.Input<string>;
  parent?: pulumi.Resource;
}

/** `<project>-<stack>`, with what a dashboard name may not hold (a period, say) replaced by `-`. */
export function dashboardName(project = pulumi.getProject(), stack = pulumi.getStack()): string {
  return `${project}-${stack}`.replace(/[^A-Za-z0-9_-]/g, '-');
}

/**
 * The stack's CloudWatch dashboard: messages, refusals, cost and time to first token per widget
 * (the metrics contract's namespace and dimension sets), then each function's errors, the API's
 * 5xx and the quota-reset dead-letter queue's depth.
 */
export function createPerchDashboard({
  widgetIds,
  functions,
  api,
  deadLetterQueue,
  region,
  parent,
}: PerchDashboardOptions): aws.cloudwatch.Dashboard {
  const labels = [...functions.keys()];
  const body = pulumi
    .all([region, api.name, deadLetterQueue.name, pulumi.all([...functions.values()].map(({ fn }) => fn.name))])
    .apply(([regionName, apiName, queueName, functionNames]) =>
      JSON.stringify(
        dashboardBody({
          stack: pulumi.getStack(),
          region: regionName,
          widgetIds,
          functions: labels.map((label, i) => ({ label, name: functionNames[i]! })),
          apiName,
          queueName,
        }),
      ),
    );
  return new aws.cloudwatch.Dashboard(
    'perch-dashboard',
    { dashboardName: dashboardName(), dashboardBody: body },
    { parent },
  );
}

const FIVE_MINUTES = 300;
const ONE_DAY = 86400;
/** A graph holds at most 100 metrics and expressions; time to first token draws two per widget. */
const WIDGETS_PER_GRAPH = 50;

/** One entry of a graph's `metrics`: namespace, name, dimension pairs, options; or one expression. */
type MetricLine = (string | Record<string, string>)[];

interface Graph {
  title: string;
  stat: string;
  period: number;
  metrics: MetricLine[];
}

interface DashboardFacts {
  stack: string;
  region: string;
  widgetIds: readonly string[];
  functions: { label: string; name: string }[];
  apiName: string;
  queueName: string;
}

function dashboardBody({ stack, region, widgetIds, functions, apiName, queueName }: DashboardFacts) {
  const perWidget = (metric: MetricName, id: string, options: Record<string, string>): MetricLine => [
    METRICS_NAMESPACE,
    metric,
    ...Object.entries(widgetDimensions(stack, id)).flat(),
    options,
  ];
  const pages = chunks(widgetIds, WIDGETS_PER_GRAPH);
  const widgetRows = pages.flatMap((ids, page): Graph[][] => {
    const which =
      pages.length > 1 ? ` (widgets ${page * WIDGETS_PER_GRAPH + 1}–${page * WIDGETS_PER_GRAPH + ids.length})` : '';
    return [
      [
        {
          title: `Messages per widget${which}`,
          stat: 'Sum',
          period: FIVE_MINUTES,
          metrics: ids.map((id) => perWidget(METRIC.messages, id, { label: id })),
        },
        {
          title: `Refusals per widget, every code${which}`,
          stat: 'Sum',
          period: FIVE_MINUTES,
          metrics: ids.map((id, i) => [{ expression: refusalsOf(stack, id), label: id, id: `refusals${i}` }]),
        },
      ],
      [
        {
          // A sum over 24 h, not the DayCostUsd gauge: a dashboard's day buckets need not start at 00:00 UTC.
          title: `Estimated cost per widget per day (USD)${which}`,
          stat: 'Sum',
          period: ONE_DAY,
          metrics: ids.map((id) => perWidget(METRIC.costUsd, id, { label: id })),
        },
        {
          title: `Time to first token (ms), p50 and p95${which}`,
          stat: 'p95',
          period: FIVE_MINUTES,
          metrics: ids.flatMap((id) =>
            ['p50', 'p95'].map((stat) => perWidget(METRIC.timeToFirstTokenMs, id, { stat, label: `${id} ${stat}` })),
          ),
        },
      ],
    ];
  });
  const rows: Graph[][] = [
    ...widgetRows,
    [
      {
        title: 'Lambda errors per function',
        stat: 'Sum',
        period: FIVE_MINUTES,
        metrics: functions.map(({ label, name }) => ['AWS/Lambda', 'Errors', 'FunctionName', name, { label }]),
      },
      {
        title: 'API Gateway 5XX errors',
        stat: 'Sum',
        period: FIVE_MINUTES,
        metrics: [['AWS/ApiGateway', '5XXError', 'ApiName', apiName, { label: 'API 5XX' }]],
      },
      {
        title: 'Quota-reset dead-letter queue depth',
        stat: 'Maximum',
        period: FIVE_MINUTES,
        metrics: [
          ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', queueName, { label: 'failed resets' }],
        ],
      },
    ],
  ];
  const height = 6;
  return {
    // A week, so the cost graph shows seven days; CloudWatch coarsens the 5-minute graphs to fit.
    start: '-P7D',
    widgets: rows.flatMap((row, y) =>
      row.map((graph, x) => ({
        type: 'metric',
        x: x * (24 / row.length),
        y: y * height,
        width: 24 / row.length,
        height,
        properties: { view: 'timeSeries', stacked: false, region, ...graph },
      })),
    ),
  };
}

/**
 * One line of a widget's refusals summed over every code, those added later included: a SEARCH
 * over the contract's exact dimension set of `Refusals` (dashboards allow it; alarms do not).
 */
function refusalsOf(stack: string, widgetId: string): string {
  const schema = [METRICS_NAMESPACE, ...Object.keys(refusalDimensions(stack, widgetId, ''))].join(',');
  const filters = Object.entries(widgetDimensions(stack, widgetId)).map(([name, value]) => `${name}="${value}"`);
  return `SUM(SEARCH('{${schema}} MetricName="${METRIC.refusals}" ${filters.join(' ')}', 'Sum', ${FIVE_MINUTES}))`;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}
