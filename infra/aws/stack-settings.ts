import * as pulumi from '@pulumi/pulumi';
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
  };
}
