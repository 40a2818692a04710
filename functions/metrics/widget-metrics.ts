import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { UsageCounters } from '../limits/usage-counters';
import type { Logger } from '../logging/logger';
import {
  METRIC,
  METRICS_NAMESPACE,
  METRICS_SERVICE,
  METRICS_STACK_ENV,
  refusalDimensions,
  widgetDimensions,
} from './metric-names';

/** The per-widget figures of the contract (refusals have their own call: they carry a code). */
export type WidgetFigures = Partial<Record<Exclude<keyof typeof METRIC, 'refusals'>, number>>;

/**
 * What the handlers report per widget (DESIGN.md § Alerts and metrics). Each call is one record,
 * written at once, so nothing is left buffered when an invocation (or its stream) ends.
 */
export interface PerchMetrics {
  widget(widgetId: string, figures: WidgetFigures): void;
  refused(widgetId: string, code: string): void;
}

const UNIT: Record<keyof typeof METRIC, (typeof MetricUnit)[keyof typeof MetricUnit]> = {
  messages: MetricUnit.Count,
  refusals: MetricUnit.Count,
  inputTokens: MetricUnit.Count,
  outputTokens: MetricUnit.Count,
  costUsd: MetricUnit.NoUnit,
  dayCostUsd: MetricUnit.NoUnit,
  timeToFirstTokenMs: MetricUnit.Milliseconds,
  upstreamErrors: MetricUnit.Count,
  sessionStarts: MetricUnit.Count,
};

export interface PowertoolsMetricsOptions {
  /** The `stack` dimension (METRICS_STACK_ENV on AWS). */
  stack: string;
  /** Where Powertools' own warnings go (not the metrics: those are EMF lines on stdout). */
  logger: Logger;
}

/**
 * CloudWatch EMF through Powertools' Metrics, one instance per function built at cold start.
 * Dimensions differ per widget, so each record is added and flushed in one synchronous step:
 * concurrent requests never share a buffer, and the record has exactly the contract's dimensions.
 */
export function createPowertoolsMetrics({ stack, logger }: PowertoolsMetricsOptions): PerchMetrics {
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE, logger });
  const publish = (dimensions: Record<string, string>, figures: [keyof typeof METRIC, number][]) => {
    // Powertools adds `service` itself (serviceName); adding it again would log a collision warning.
    const { service: _service, ...perRecord } = dimensions;
    try {
      for (const [name, value] of Object.entries(perRecord)) metrics.addDimension(name, value);
      for (const [key, value] of figures) metrics.addMetric(METRIC[key], UNIT[key], value);
      metrics.publishStoredMetrics();
    } catch (error) {
      // A metric never fails the visitor's request (its reply is already stored and charged).
      metrics.clearMetrics();
      metrics.clearDimensions();
      logger.error('metrics not emitted', { error: (error as Error).message });
    }
  };
  return {
    widget(widgetId, figures) {
      const entries = (Object.entries(figures) as [keyof typeof METRIC, number | undefined][]).filter(
        (entry): entry is [keyof typeof METRIC, number] => entry[1] !== undefined,
      );
      if (entries.length > 0) publish(widgetDimensions(stack, widgetId), entries);
    },
    refused(widgetId, code) {
      publish(refusalDimensions(stack, widgetId, code), [['refusals', 1]]);
    },
  };
}

/**
 * The Lambda's metrics from its environment; none without a stack name, since every alarm and
 * the dashboard select on it (a record without it would be paid for and read by nothing).
 */
export function metricsFromEnvironment(env: NodeJS.ProcessEnv, logger: Logger): PerchMetrics | undefined {
  const stack = env[METRICS_STACK_ENV];
  if (!stack) {
    logger.warn('no metrics: the stack name is not set', { variable: METRICS_STACK_ENV });
    return undefined;
  }
  return createPowertoolsMetrics({ stack, logger });
}

/** Usage counters that also emit `Refusals` by code, wherever the edge counts a refusal. */
export function withRefusalMetric(counters: UsageCounters, metrics: PerchMetrics | undefined): UsageCounters {
  if (!metrics) return counters;
  return {
    ...counters,
    refused(widgetId, code, now) {
      metrics.refused(widgetId, code);
      return counters.refused(widgetId, code, now);
    },
  };
}
