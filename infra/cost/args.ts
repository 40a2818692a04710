import { parseStrictly, UsageArgsError } from '../usage/args';
import { ASSUMED } from './assumptions';

export interface CostArgs {
  messages: number;
  sessions: number;
  pageViews: number;
  answerTokens: number;
  promptTokens: number;
  configFile: string;
  json: boolean;
  help: boolean;
}

export const COST_HELP = `Usage: npm run cost -- --messages <per month> [options]

The estimated monthly AWS bill by service for a month's traffic, from the measured requests per
message (infra/cost/measured.ts) and the dated price table (infra/cost/prices.eu-west-1.json);
the model providers' cost apart, from the widgets' pricing. Every assumption is printed.

  --messages <n>       visitor messages a month (required)
  --sessions <n>       chat sessions a month (default: ${ASSUMED.sessionsPerMessage * 100} % of messages)
  --page-views <n>     page views that load the widget (default: ${ASSUMED.pageViewsPerSession} per session)
  --answer-tokens <n>  tokens per answer (default ${ASSUMED.answerTokens})
  --prompt-tokens <n>  tokens per prompt: system prompt, passages, history (default ${ASSUMED.promptTokens})
  --config <file>      the widgets config (default widgets.config.ts)
  --json               print the estimate as JSON
  -h, --help           show this help`;

const OPTIONS = {
  messages: { type: 'string' },
  sessions: { type: 'string' },
  'page-views': { type: 'string' },
  'answer-tokens': { type: 'string' },
  'prompt-tokens': { type: 'string' },
  config: { type: 'string', default: 'widgets.config.ts' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** A whole number from `min` up, written with optional `_` or `,` separators (1_000_000). */
function parseCount(name: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  const value = /^\d[\d_,]*$/.test(text) ? Number(text.replace(/[_,]/g, '')) : NaN;
  if (!(Number.isSafeInteger(value) && value >= min))
    throw new UsageArgsError(`--${name} must be a whole number of at least ${min}, got ${JSON.stringify(text)}`);
  return value;
}

/** Parses `npm run cost` arguments strictly; sessions and page views default from the messages. */
export function parseCostArgs(argv: readonly string[]): CostArgs {
  const values = parseStrictly(argv, OPTIONS);
  const base = { configFile: values.config, json: values.json, help: values.help };
  const messages = parseCount('messages', values.messages, 1);
  if (messages === undefined) {
    if (values.help) return { ...base, messages: 0, sessions: 0, pageViews: 0, answerTokens: 0, promptTokens: 0 };
    throw new UsageArgsError('--messages is required: how many visitor messages a month, e.g. --messages 1000000');
  }
  const sessions =
    parseCount('sessions', values.sessions, 1) ?? Math.max(1, Math.round(messages * ASSUMED.sessionsPerMessage));
  return {
    ...base,
    messages,
    sessions,
    pageViews: parseCount('page-views', values['page-views'], sessions) ?? sessions * ASSUMED.pageViewsPerSession,
    answerTokens: parseCount('answer-tokens', values['answer-tokens'], 1) ?? ASSUMED.answerTokens,
    promptTokens: parseCount('prompt-tokens', values['prompt-tokens'], 0) ?? ASSUMED.promptTokens,
  };
}
