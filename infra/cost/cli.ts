import { relative } from 'node:path';
import { ConfigError, loadConfigFile } from '../config/load';
import { UsageArgsError } from '../usage/args';
import { COST_HELP, parseCostArgs } from './args';
import { estimateMonthlyCost } from './estimate';
import { formatCostEstimate } from './format-text';
import { MEASURED } from './measured';
import { loadPriceTable, PRICE_FILE } from './prices';
import { stackShapeFromConfig } from './stack-shape';

export interface CostCliIo {
  stdout: Pick<NodeJS.WriteStream, 'write'>;
  stderr: Pick<NodeJS.WriteStream, 'write'>;
}

/** `npm run cost`: prints the estimate and returns the exit code (2: bad arguments, 1: a config that fails). */
export async function runCostCli(argv: readonly string[], { stdout, stderr }: CostCliIo): Promise<number> {
  let args: ReturnType<typeof parseCostArgs>;
  try {
    args = parseCostArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageArgsError)) throw error;
    stderr.write(`error: ${error.message}\nSee \`npm run cost -- --help\`.\n`);
    return 2;
  }
  if (args.help) {
    stdout.write(`${COST_HELP}\n`);
    return 0;
  }
  let shape: ReturnType<typeof stackShapeFromConfig>;
  try {
    shape = stackShapeFromConfig(await loadConfigFile(args.configFile));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    stderr.write(`error: ${error.message}\n`);
    return 1;
  }
  const prices = loadPriceTable();
  const { messages, sessions, pageViews, answerTokens, promptTokens } = args;
  const estimate = estimateMonthlyCost(
    { messages, sessions, pageViews, answerTokens, promptTokens },
    shape,
    prices,
    MEASURED,
  );
  const file = relative(process.cwd(), PRICE_FILE);
  stdout.write(`${args.json ? JSON.stringify(estimate, null, 2) : formatCostEstimate(estimate, prices, file)}\n`);
  return 0;
}
