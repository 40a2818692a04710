import { readUsageReport } from '../../functions/usage/report';
import { parseUsageArgs, USAGE_HELP, type UsageArgs, UsageArgsError, type UsageTarget } from './args';
import { formatUsageReport } from './format-text';
import { createProgress } from './progress';
import { openUsageSource, type UsageSource, UsageSourceError } from './source';

export interface UsageCliIo {
  env?: NodeJS.ProcessEnv;
  stdout: Pick<NodeJS.WriteStream, 'write'>;
  stderr: Pick<NodeJS.WriteStream, 'write'> & { isTTY?: boolean };
  now?: () => number;
}

/** An operator command over a table: parsed arguments, then one run against the opened source. */
export interface TableCommand<A extends { help: boolean; target: UsageTarget }> {
  name: string;
  help: string;
  parse(argv: readonly string[]): A;
  run(args: A, source: UsageSource, io: Required<Pick<UsageCliIo, 'stdout' | 'stderr' | 'now'>>): Promise<number>;
}

/**
 * Runs an operator command: bad arguments exit 2 with the help hint, `--help` prints the help,
 * and any failure to open or read the table exits 1 with one line saying what to check.
 */
export async function runTableCommand<A extends { help: boolean; target: UsageTarget }>(
  command: TableCommand<A>,
  argv: readonly string[],
  { env = process.env, stdout, stderr, now = Date.now }: UsageCliIo,
): Promise<number> {
  let args: A;
  try {
    args = command.parse(argv);
  } catch (error) {
    if (!(error instanceof UsageArgsError)) throw error;
    stderr.write(`error: ${error.message}\nSee \`npm run ${command.name} -- --help\`.\n`);
    return 2;
  }
  if (args.help) {
    stdout.write(`${command.help}\n`);
    return 0;
  }
  try {
    const source = await openUsageSource(args.target, { env, warn: (line) => stderr.write(`${line}\n`) });
    try {
      return await command.run(args, source, { stdout, stderr, now });
    } finally {
      await source.close();
    }
  } catch (error) {
    stderr.write(`error: ${describeFailure(error, args.target)}\n`);
    return 1;
  }
}

/** `npm run usage`: prints the report and returns the exit code (2: bad arguments, 1: failure). */
export const runUsageCli = (argv: readonly string[], io: UsageCliIo) =>
  runTableCommand({ name: 'usage', help: USAGE_HELP, parse: parseUsageArgs, run: printUsage }, argv, io);

async function printUsage(
  args: UsageArgs,
  source: UsageSource,
  { stdout, stderr, now }: Required<Pick<UsageCliIo, 'stdout' | 'stderr' | 'now'>>,
): Promise<number> {
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
}

/** A failed read as one line: what went wrong and what to check. */
export function describeFailure(error: unknown, target: UsageTarget): string {
  const { name, message } = error as Error;
  if (error instanceof UsageSourceError) return message;
  if (name === 'ResourceNotFoundException' && target.kind !== 'local')
    return `table not found (check --table / --outputs and --region): ${message}`;
  if (name === 'CredentialsProviderError')
    return `no AWS credentials found (environment, ~/.aws profile, SSO or instance role): ${message}`;
  if (/region/i.test(message) && name === 'Error') return `${message} (pass --region or set AWS_REGION)`;
  return `${name}: ${message}`;
}
