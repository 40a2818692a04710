import { QUOTA_RESET, ROUTES } from '../../functions/routes';
import { type PerchAlarmsOptions, perchAlarms } from '../aws/alarms';
import { ALARM_DEFAULTS } from '../aws/stack-settings';
import { resolveAlerts } from '../config/alerts';
import { WIDGET_DEFAULTS } from '../config/resolve';
import type { PerchConfig } from '../config/schema';
import type { StackShape } from './estimate';

/** What the config decides about the bill: widgets, their models' pricing, secrets, alarms, alert subscribers. */
export function stackShapeFromConfig(config: PerchConfig): StackShape {
  const widgets = Object.entries(config.widgets).map(([id, widget]) => {
    const model = config.models[widget.model];
    return {
      id,
      model: widget.model,
      active: (widget.status ?? WIDGET_DEFAULTS.status) === 'active',
      // The faq provider answers from the config: no model bill.
      pricing: model?.provider === 'faq' ? { inputPerMTok: 0, outputPerMTok: 0 } : model?.pricing,
    };
  });
  const secrets = new Set([
    ...Object.values(config.models).flatMap((m) => (m.provider === 'openai' && m.apiKeySecret ? [m.apiKeySecret] : [])),
    ...Object.values(config.widgets).flatMap((w) => (w.identity?.secretSecret ? [w.identity.secretSecret] : [])),
  ]);
  const alerts = resolveAlerts(config.alerts, undefined);
  return {
    widgets,
    configSecrets: secrets.size,
    alarms: countAlarms(config),
    alertEmails: alerts.email.length,
    alertWebhook: alerts.webhook !== undefined,
    retentionDays: Math.max(
      ...Object.values(config.widgets).map((w) => w.retentionDays ?? WIDGET_DEFAULTS.retentionDays),
    ),
  };
}

/**
 * How many alarms `pulumi up` declares, from the stack's own alarm list: only their number is
 * priced, so plain names stand in for the functions, the API and the queue.
 */
function countAlarms(config: PerchConfig): number {
  const named = (name: string) => ({ name });
  return perchAlarms({
    stack: 'cost',
    functions: new Map([...ROUTES, QUOTA_RESET].map((f) => [f.name, { fn: named(f.name) }])),
    api: { api: named('api'), stage: { stageName: 'v1' } },
    deadLetterQueue: named('dlq'),
    widgets: Object.entries(config.widgets).map(([id, w]) => ({
      id,
      limits: { ...WIDGET_DEFAULTS.limits, ...w.limits },
    })),
    thresholds: ALARM_DEFAULTS,
  } as unknown as PerchAlarmsOptions).length;
}
