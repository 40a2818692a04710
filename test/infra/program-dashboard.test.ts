import * as aws from '@pulumi/aws';
import {
  METRIC,
  METRICS_NAMESPACE,
  METRICS_SERVICE,
  METRICS_STACK_ENV,
  refusalDimensions,
  widgetDimensions,
} from '../../functions/metrics/metric-names';
import { createPerchDashboard, dashboardName } from '../../infra/aws/dashboard';
import { useDeployedProgram } from './deployed-program';
import { ALL_FUNCTIONS, resolvedTestConfig } from './fixtures';
import { MockEngine, REGION } from './mock-engine';

// The Pulumi program under the mock engine (see deployed-program.ts): the functions' Powertools
// environment and the stack's CloudWatch dashboard, read back from its dashboardBody.
const program = useDeployedProgram('program-dashboard');
const { one, outputsOf, lambdaNamed } = program;
const WIDGET_IDS = resolvedTestConfig().widgets.map((w) => w.id);

type Line = (string | Record<string, string>)[];
interface Graph {
  type: string;
  properties: { title: string; region: string; stat: string; period: number; metrics: Line[] };
}
type Body = { start: string; widgets: Graph[] };
const body = (): Body => JSON.parse(one('aws:cloudwatch/dashboard:Dashboard').inputs.dashboardBody);
const graph = (title: string, { widgets }: Pick<Body, 'widgets'> = body()): Graph['properties'] => {
  const found = widgets.filter((w) => w.properties.title.startsWith(title));
  if (found.length !== 1) throw new Error(`expected one graph titled ${title}, found ${found.length}`);
  return found[0]!.properties;
};
const labelOf = (line: Line): string => (line.at(-1) as Record<string, string>).label!;
/** A metric line's dimensions as an object (`[namespace, name, k1, v1, …, options]`). */
const dimensionsOf = (line: Line): Record<string, string> => {
  const pairs = line.slice(2, -1) as string[];
  return Object.fromEntries(pairs.flatMap((_, i) => (i % 2 === 0 ? [[pairs[i], pairs[i + 1]]] : [])));
};
const metricLines = () =>
  body().widgets.flatMap((w) => w.properties.metrics.filter((line) => typeof line[0] === 'string'));

describe('the functions’ Powertools environment', () => {
  test('every function names the metrics service, namespace and the stack', () => {
    for (const fn of ALL_FUNCTIONS)
      expect(lambdaNamed(fn.name).inputs.environment.variables).toMatchObject({
        POWERTOOLS_SERVICE_NAME: METRICS_SERVICE,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        [METRICS_STACK_ENV]: 'dev',
      });
  });
});

describe('the stack dashboard', () => {
  test('is one dashboard named <project>-<stack> whose body is valid JSON', () => {
    const dashboard = one('aws:cloudwatch/dashboard:Dashboard').inputs;
    expect(dashboard.dashboardName).toBe('perch-dev');
    expect(() => JSON.parse(dashboard.dashboardBody)).not.toThrow();
    expect(body().widgets).toHaveLength(7);
  });

  test('a project or stack name with a character dashboards refuse becomes a dash', () => {
    expect(dashboardName('perch', 'eu.prod')).toBe('perch-eu-prod');
  });

  test('every graph has a title and reads the stack’s region', () => {
    for (const widget of body().widgets) {
      expect(widget.type).toBe('metric');
      expect(widget.properties.title).toMatch(/\w/);
      expect(widget.properties.region).toBe(REGION);
    }
  });

  test('messages and cost per day have one line per widget of the config', () => {
    const messages = graph('Messages per widget');
    expect(messages.metrics.map(labelOf)).toEqual(WIDGET_IDS);
    expect(messages.metrics.every((line) => line[1] === METRIC.messages)).toBe(true);
    const cost = graph('Estimated cost per widget per day');
    expect(cost.metrics.map(labelOf)).toEqual(WIDGET_IDS);
    expect(cost.metrics.every((line) => line[1] === METRIC.costUsd)).toBe(true);
    expect(cost).toMatchObject({ stat: 'Sum', period: 86400 });
  });

  test('time to first token shows p50 and p95 for every widget', () => {
    const ttft = graph('Time to first token');
    expect(ttft.metrics.map(labelOf)).toEqual(WIDGET_IDS.flatMap((id) => [`${id} p50`, `${id} p95`]));
    expect(ttft.metrics.map((line) => (line.at(-1) as Record<string, string>).stat)).toEqual(
      WIDGET_IDS.flatMap(() => ['p50', 'p95']),
    );
  });

  test('every Perch metric has the contract’s namespace, a contract name and exactly its widget dimensions', () => {
    const perch = metricLines().filter((line) => line[0] === METRICS_NAMESPACE);
    expect(perch.length).toBeGreaterThan(0);
    for (const line of perch) {
      expect(Object.values(METRIC)).toContain(line[1]);
      const dimensions = dimensionsOf(line);
      expect(dimensions).toEqual(widgetDimensions('dev', dimensions.widget!));
      expect(WIDGET_IDS).toContain(dimensions.widget);
    }
  });

  test('refusals are one line per widget: a SUM over a SEARCH on the exact dimension set of Refusals', () => {
    const refusals = graph('Refusals per widget');
    expect(refusals.metrics.map(labelOf)).toEqual(WIDGET_IDS);
    refusals.metrics.forEach((line, i) => {
      const { expression, id } = line[0] as Record<string, string>;
      expect(id).toMatch(/^[a-z][A-Za-z0-9_]*$/);
      const [, schema, search] = expression!.match(/^SUM\(SEARCH\('\{([^}]*)\} (.*)', 'Sum', 300\)\)$/) ?? [];
      expect(schema!.split(',')).toEqual([
        METRICS_NAMESPACE,
        ...Object.keys(refusalDimensions('dev', WIDGET_IDS[i]!, 'any_code')),
      ]);
      const filters = Object.entries(widgetDimensions('dev', WIDGET_IDS[i]!)).map(([k, v]) => `${k}="${v}"`);
      expect(search).toBe([`MetricName="${METRIC.refusals}"`, ...filters].join(' '));
    });
  });

  test('Lambda errors have one line per function, by its deployed name', () => {
    const errors = graph('Lambda errors per function');
    expect(errors.metrics).toEqual(
      ALL_FUNCTIONS.map((fn) => [
        'AWS/Lambda',
        'Errors',
        'FunctionName',
        lambdaNamed(fn.name).outputs.name,
        { label: fn.name },
      ]),
    );
    expect(errors.stat).toBe('Sum');
  });

  test('the API’s 5XX errors and the quota-reset dead-letter queue’s depth are read by their names', () => {
    expect(graph('API Gateway 5XX').metrics).toEqual([
      ['AWS/ApiGateway', '5XXError', 'ApiName', outputsOf('aws:apigateway/restApi:RestApi').name, { label: 'API 5XX' }],
    ]);
    const queue = graph('Quota-reset dead-letter queue');
    expect(queue.metrics).toEqual([
      [
        'AWS/SQS',
        'ApproximateNumberOfMessagesVisible',
        'QueueName',
        outputsOf('aws:sqs/queue:Queue').name,
        { label: 'failed resets' },
      ],
    ]);
    expect(queue.stat).toBe('Maximum');
  });
});

describe('the dashboard of a stack with many widgets', () => {
  test('splits the per-widget graphs so that none holds more than 100 lines, and shows every widget', async () => {
    const ids = Array.from({ length: 120 }, (_, i) => `widget-${i}`);
    const deployment = await new MockEngine().run(() => {
      createPerchDashboard({
        widgetIds: ids,
        functions: new Map(),
        api: new aws.apigateway.RestApi('api', {}),
        deadLetterQueue: new aws.sqs.Queue('dlq', {}),
        region: REGION,
      });
    });
    const many: Body = JSON.parse(deployment.byType('aws:cloudwatch/dashboard:Dashboard')[0]!.inputs.dashboardBody);
    for (const widget of many.widgets) expect(widget.properties.metrics.length).toBeLessThanOrEqual(100);
    const pages = ['1–50', '51–100', '101–120'];
    for (const title of ['Messages per widget', 'Refusals per widget', 'Time to first token']) {
      const labels = pages.flatMap((page) =>
        graph(title, {
          widgets: many.widgets.filter((w) => w.properties.title.endsWith(`(widgets ${page})`)),
        }).metrics.map(labelOf),
      );
      expect(new Set(labels.map((label) => label.split(' ')[0]))).toEqual(new Set(ids));
    }
  });
});
