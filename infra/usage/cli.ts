import { readUsageReport } from '../../functions/usage/report';
import { parseUsageArgs, USAGE_HELP, UsageArgsError } from './args';
import { formatUsageReport } from './format-text';
import { createProgress } from './progress';
import { openUsageSource, UsageSourceError } from './source';

export interface UsageCliIo {
  env?: NodeJS.ProcessEnv;
  stdout: Pick<NodeJS.WriteStream, 'write'>;
  stderr: Pick<NodeJS.WriteStream, 'write'> & { isTTY?: boolean };
  now?: () => number;
}

/** `npm run usage`: prints the report and returns the exit code (2: bad arguments, 1: failure). */
export async function runUsageCli(
  argv: readonly string[],
  { env = process.env, stdout, stderr, now = Date.now }: UsageCliIo,
): Promise<number> {
  let args: ReturnType<typeof parseUsageArgs>;
  try {
    args = parseUsageArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageArgsError)) throw error;
    stderr.write(`error: ${error.message}\nSee \`npm run usage -- --help\`.\n`);
    return 2;
  }
  if (args.help) {
    stdout.write(`${USAGE_HELP}\n`);
    return 0;
  }
  try {
    const source = await openUsageSource(args.target, { env, warn: (line) => stderr.write(`${line}\n`) });
    try {
      const progress = createProgress({ stream: stderr, label: 'reading usage:' });
      const report = await readUsageReport({
        doc: source.doc,
        table: source.table,
        days: args.days,
        widgetId: args.widgetId,
        now,
        declaredWidgets: source.declaredWidgets,
        onProgress: progress.update,
      });
      progress.finish();
      if (args.widgetId !== undefined && report.widgets.length === 0) {
        stderr.write(
          `error: no widget "${args.widgetId}" in ${source.description}: not in the config and no usage history\n`,
        );
        return 1;
      }
      stdout.write(
        `${args.json ? JSON.stringify(report, null, 2) : formatUsageReport(report, { source: source.description })}\n`,
      );
      return 0;
    } finally {
      await source.close();
    }
  } catch (error) {
    stderr.write(`error: ${describeFailure(error, args.target)}\n`);
    return 1;
  }
}

/** A failed read as one line: what went wrong and what to check. */
export function describeFailure(error: unknown, target: ReturnType<typeof parseUsageArgs>['target']): string {
  const { name, message } = error as Error;
  if (error instanceof UsageSourceError) return message;
  if (name === 'ResourceNotFoundException' && target.kind !== 'local')
    return `table not found (check --table / --outputs and --region): ${message}`;
  if (name === 'CredentialsProviderError')
    return `no AWS credentials found (environment, ~/.aws profile, SSO or instance role): ${message}`;
  if (/region/i.test(message) && name === 'Error') return `${message} (pass --region or set AWS_REGION)`;
  return `${name}: ${message}`;
}
