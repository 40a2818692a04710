import * as pulumi from '@pulumi/pulumi';
import { BUDGET_WARNING_FRACTION } from '../../functions/usage/budget-alerts';
import { DEFAULT_CONFIG_FILE } from '../config/load';

/** Per-stack settings from `Pulumi.<stack>.yaml` (`perch:` namespace). */
export interface StackSettings {
  /** The widgets config; its `stacks.<stack name>` overrides apply. */
  configFile: string;
  /** Deletion protection on the table, `protect` on it in Pulumi, a 30-day secret recovery window. */
  production: boolean;
  /** CloudFront price class: `PriceClass_100` (North America, Europe) unless set. */
  priceClass: string;
  logRetentionDays: number;
  /** The alarms' thresholds (`perch:alarm…`), defaults in ALARM_DEFAULTS. */
  alarms: AlarmThresholds;
}

export interface AlarmThresholds {
  /** A widget's p95 time to the model's first token, over each of 3 consecutive 5-minute periods. */
  ttftP95Ms: number;
  /** A function's errors (throws, timeouts) in 5 minutes. */
  functionErrors: number;
  /** A function's throttled invocations in 5 minutes. */
  functionThrottles: number;
  /** The API's 5xx responses in 5 minutes (a model outage's 502s and budget refusals' 503s count too). */
  api5xx: number;
  /** The share of a widget's `dailyBudgetUsd` spent today that warns before the cap. */
  budgetWarningPercent: number;
}

export const ALARM_DEFAULTS: AlarmThresholds = {
  ttftP95Ms: 5000,
  functionErrors: 1,
  functionThrottles: 1,
  api5xx: 5,
  // The usage page warns at the same share (local parity).
  budgetWarningPercent: BUDGET_WARNING_FRACTION * 100,
};

// The setting of each threshold and its allowed whole-number range.
const ALARM_SETTINGS: Record<keyof AlarmThresholds, [setting: string, min: number, max: number]> = {
  ttftP95Ms: ['alarmTtftP95Ms', 100, 120_000],
  functionErrors: ['alarmFunctionErrors', 1, 100_000],
  functionThrottles: ['alarmFunctionThrottles', 1, 100_000],
  api5xx: ['alarmApi5xx', 1, 100_000],
  budgetWarningPercent: ['alarmBudgetWarningPercent', 1, 99],
};

function readAlarmThresholds(config: pulumi.Config): AlarmThresholds {
  const entries = Object.entries(ALARM_SETTINGS).map(([key, [setting, min, max]]) => {
    const raw = config.get(setting);
    if (raw === undefined) return [key, ALARM_DEFAULTS[key as keyof AlarmThresholds]];
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new pulumi.RunError(
        `perch:${setting} must be a whole number from ${min} to ${max} (got ${JSON.stringify(raw)})`,
      );
    }
    return [key, value];
  });
  return Object.fromEntries(entries) as AlarmThresholds;
}

const PRICE_CLASSES = ['PriceClass_100', 'PriceClass_200', 'PriceClass_All'];
// CloudWatch Logs accepts only these retention periods.
const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

export function readStackSettings(config: pulumi.Config = new pulumi.Config('perch')): StackSettings {
  const priceClass = config.get('priceClass') ?? 'PriceClass_100';
  if (!PRICE_CLASSES.includes(priceClass)) {
    throw new pulumi.RunError(
      `perch:priceClass must be one of ${PRICE_CLASSES.join(', ')} (got ${JSON.stringify(priceClass)})`,
    );
  }
  const logRetentionDays = config.getNumber('logRetentionDays') ?? 30;
  if (!RETENTION_DAYS.includes(logRetentionDays)) {
    throw new pulumi.RunError(
      `perch:logRetentionDays must be one of ${RETENTION_DAYS.join(', ')} (got ${logRetentionDays})`,
    );
  }
  return {
    configFile: config.get('configFile') ?? DEFAULT_CONFIG_FILE,
    production: config.getBoolean('production') ?? false,
    priceClass,
    logRetentionDays,
    alarms: readAlarmThresholds(config),
  };
}
