import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { USAGE_RETENTION_DAYS } from '../../functions/usage/counter-record';

/** Where the usage is read from: the local target's data, or a DynamoDB table on AWS. */
export type UsageTarget =
  | { kind: 'local' }
  | { kind: 'aws'; table: string; region?: string }
  | { kind: 'aws-outputs'; outputsFile: string; region?: string };

export interface UsageArgs {
  days: number;
  widgetId?: string;
  json: boolean;
  help: boolean;
  target: UsageTarget;
}

/** A bad command line: the message says what is wrong and what to type instead. */
export class UsageArgsError extends Error {
  override name = 'UsageArgsError';
}

/** The options every operator command shares: where the table is, and help. */
export const TARGET_OPTIONS = {
  table: { type: 'string' },
  outputs: { type: 'string' },
  region: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** The help lines of TARGET_OPTIONS, for each command's help text. */
export const TARGET_HELP = `  --table <name>    read this DynamoDB table on AWS (credentials from the default chain)
  --outputs <file>  read the table named by "tableName" in \`pulumi stack output --json\`
  --region <name>   AWS region for --table / --outputs (default: AWS_REGION or your profile)
  -h, --help        show this help`;

export const USAGE_HELP = `Usage: npm run usage -- [options]

Usage per widget per UTC day: sessions, messages, tokens, estimated cost, refusals.

  --days <n>        how many days, ending today (default 7, at most ${USAGE_RETENTION_DAYS})
  --widget <id>     only this widget, with a row per day
  --json            print the report as JSON
${TARGET_HELP}

Without --table or --outputs it reads the local target's data (PERCH_DATA_DIR, default .perch),
whether \`npm start\` is running or not.`;

/** What a `--widget` (or the operator pages' `widget`) may be: a widget id's characters. */
export const WIDGET_ID = /^[a-z0-9-]{1,64}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

const OPTIONS = {
  days: { type: 'string' },
  widget: { type: 'string' },
  json: { type: 'boolean', default: false },
  ...TARGET_OPTIONS,
} as const;

/** Runs node's strict parseArgs; its errors become UsageArgsError without the positional hint. */
export function parseStrictly<T extends ParseArgsOptionsConfig>(argv: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...argv], strict: true, allowPositionals: false, options }).values as ReturnType<
      typeof parseArgs<{ options: T; strict: true }>
    >['values'];
  } catch (cause) {
    throw new UsageArgsError(`${(cause as Error).message.replace(/\. To specify a positional.*$/s, '')}`, { cause });
  }
}

/** Parses `npm run usage` arguments strictly: unknown options, bad values and conflicts are errors. */
export function parseUsageArgs(argv: readonly string[]): UsageArgs {
  const values = parseStrictly(argv, OPTIONS);
  const days = parseDays(values.days, 7, USAGE_RETENTION_DAYS, 'history is kept that long');
  return {
    days,
    widgetId: parseWidgetId(values.widget),
    json: values.json,
    help: values.help,
    target: parseTarget(values),
  };
}

/** `--days`: a whole number from 1 to `max`; `why` says where the maximum comes from. */
export function parseDays(text: string | undefined, fallback: number, max: number, why: string): number {
  if (text === undefined) return fallback;
  const days = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(days >= 1 && days <= max))
    throw new UsageArgsError(`--days must be a whole number from 1 to ${max} (${why}), got "${text}"`);
  return days;
}

export function parseWidgetId(widget: string | undefined): string | undefined {
  if (widget !== undefined && !WIDGET_ID.test(widget)) {
    throw new UsageArgsError(
      '--widget must be a widget id from the config (a lower-case slug such as docs-bot), ' +
        `got ${JSON.stringify(widget)}`,
    );
  }
  return widget;
}

/** `--table` / `--outputs` / `--region`, checked together. */
export function parseTarget(values: { table?: string; outputs?: string; region?: string }): UsageTarget {
  if (values.table !== undefined && values.outputs !== undefined) {
    throw new UsageArgsError('use either --table or --outputs, not both');
  }
  if (values.region !== undefined && values.table === undefined && values.outputs === undefined) {
    throw new UsageArgsError('--region only applies to an AWS table: add --table <name> or --outputs <file>');
  }
  if (values.region !== undefined && !REGION.test(values.region)) {
    throw new UsageArgsError(`--region must be an AWS region such as us-east-1, got ${JSON.stringify(values.region)}`);
  }
  if (values.table !== undefined && !/^[A-Za-z0-9_.-]{3,255}$/.test(values.table)) {
    throw new UsageArgsError(
      `--table must be a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -), got ${JSON.stringify(values.table)}`,
    );
  }
  return values.table !== undefined
    ? { kind: 'aws', table: values.table, region: values.region }
    : values.outputs !== undefined
      ? { kind: 'aws-outputs', outputsFile: values.outputs, region: values.region }
      : { kind: 'local' };
}
