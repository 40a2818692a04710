/**
 * The metrics contract (DESIGN.md § Alerts and metrics): what the handlers emit in CloudWatch EMF
 * and what the stack's alarms and dashboard read. One table, so a name or a dimension set never
 * differs between the emitter and an alarm (an alarm on other dimensions watches nothing).
 */
export const METRICS_NAMESPACE = 'Perch';
/** Powertools' `serviceName`, also a dimension of every metric. */
export const METRICS_SERVICE = 'perch';

export const METRIC = {
  /** Count: an answered visitor message. */
  messages: 'Messages',
  /** Count, with the `code` dimension too: a refusal by its stable error code. */
  refusals: 'Refusals',
  inputTokens: 'InputTokens',
  outputTokens: 'OutputTokens',
  /** USD of one reply, from the model's `pricing`. */
  costUsd: 'EstimatedCostUsd',
  /** Gauge: the widget's estimated cost so far this UTC day (the budget alarms take its Maximum). */
  dayCostUsd: 'DayCostUsd',
  /** Milliseconds from the model call to its first token. */
  timeToFirstTokenMs: 'TimeToFirstTokenMs',
  /** Count: a model call that failed (upstream_error). */
  upstreamErrors: 'UpstreamErrors',
  /** Count: a new session started (resumes are not counted). */
  sessionStarts: 'SessionStarts',
} as const;

export type MetricName = (typeof METRIC)[keyof typeof METRIC];

/** The dimension set of every per-widget metric. */
export const widgetDimensions = (stack: string, widgetId: string) => ({
  service: METRICS_SERVICE,
  stack,
  widget: widgetId,
});

/** The dimension set of `Refusals`: the widget's, plus the error code. */
export const refusalDimensions = (stack: string, widgetId: string, code: string) => ({
  ...widgetDimensions(stack, widgetId),
  code,
});

/** The environment variable that names the stack for the metrics' `stack` dimension (set by Pulumi). */
export const METRICS_STACK_ENV = 'PERCH_STACK_NAME';
