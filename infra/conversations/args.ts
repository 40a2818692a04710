import type { ConversationFilter } from '../../functions/conversations/conversation-summary';
import {
  parseDays,
  parseStrictly,
  parseTarget,
  parseWidgetId,
  TARGET_HELP,
  TARGET_OPTIONS,
  UsageArgsError,
  type UsageTarget,
} from '../usage/args';

/** What `npm run conversations` was asked to do. */
export type ConversationsAction =
  | { kind: 'list'; days: number; widgetId?: string; filter: ConversationFilter; jsonl: boolean }
  | { kind: 'show'; sessionId: string; jsonl: boolean }
  | { kind: 'erase'; sessionId: string }
  | { kind: 'erase-identity'; sub: string; widgetId?: string };

export interface ConversationsArgs {
  action: ConversationsAction;
  help: boolean;
  target: UsageTarget;
}

/** The longest `retentionDays` the config accepts: no conversation is older. */
export const MAX_LIST_DAYS = 3650;

export const CONVERSATIONS_HELP = `Usage: npm run conversations -- [options]

Conversations per widget and UTC day of their start: turns, last activity, ratings, the signed-in
visitor's sub, the first question. Expired conversations (retentionDays after their last turn)
are never shown.

  --days <n>              how many days of starts, ending today (default 7, at most ${MAX_LIST_DAYS})
  --widget <id>           only this widget
  --rating <down|up>      only conversations with an answer rated so
  --search <text>         only conversations where a turn contains the text (any case or accent)
  --jsonl                 print one JSON object per conversation (whole transcripts) instead
  --session <id>          print one conversation turn by turn, with its sources and ratings
  --erase <id>            erase one conversation and every item that holds its text or identity
  --erase-identity <sub>  erase every conversation of a signed-in visitor (with --widget: of one widget)
${TARGET_HELP}

Without --table or --outputs it reads the local target's data (PERCH_DATA_DIR, default .perch),
whether \`npm start\` is running or not. Erasing keeps the usage counters: they hold counts only.`;

const OPTIONS = {
  days: { type: 'string' },
  widget: { type: 'string' },
  rating: { type: 'string' },
  search: { type: 'string' },
  jsonl: { type: 'boolean', default: false },
  session: { type: 'string' },
  erase: { type: 'string' },
  'erase-identity': { type: 'string' },
  ...TARGET_OPTIONS,
} as const;

/** What a session id given by an operator may be (the listing shows UUIDs). */
export const SESSION_ID = /^[A-Za-z0-9-]{1,64}$/;

/** Parses `npm run conversations` arguments strictly: unknown options, bad values and conflicts are errors. */
export function parseConversationsArgs(argv: readonly string[]): ConversationsArgs {
  const values = parseStrictly(argv, OPTIONS);
  const target = parseTarget(values);
  const widgetId = parseWidgetId(values.widget);
  const modes = (['session', 'erase', 'erase-identity'] as const).filter((name) => values[name] !== undefined);
  if (modes.length > 1) throw new UsageArgsError(`use one of --${modes.join(', --')}, not several`);
  const listOnly = (['days', 'rating', 'search'] as const).filter((name) => values[name] !== undefined);
  const mode = modes[0];
  if (mode !== undefined && listOnly.length > 0)
    throw new UsageArgsError(`--${listOnly[0]} filters the listing; it does not apply to --${mode}`);
  if (mode !== undefined && mode !== 'erase-identity' && widgetId !== undefined)
    throw new UsageArgsError(`--widget filters the listing; it does not apply to --${mode}`);
  if (mode?.startsWith('erase') && values.jsonl)
    throw new UsageArgsError(`--jsonl exports conversations; it does not apply to --${mode}`);

  const help = values.help;
  if (mode === 'session' || mode === 'erase') {
    const sessionId = parseSessionId(values[mode]!, mode);
    const action: ConversationsAction =
      mode === 'session' ? { kind: 'show', sessionId, jsonl: values.jsonl } : { kind: 'erase', sessionId };
    return { action, help, target };
  }
  if (mode === 'erase-identity') {
    const sub = values['erase-identity']!;
    if (sub.length < 1 || sub.length > 256)
      throw new UsageArgsError(`--erase-identity takes the visitor's sub (1-256 characters), got ${sub.length}`);
    return { action: { kind: 'erase-identity', sub, widgetId }, help, target };
  }
  const days = parseDays(values.days, 7, MAX_LIST_DAYS, 'the longest retentionDays');
  const rating = values.rating;
  if (rating !== undefined && rating !== 'up' && rating !== 'down')
    throw new UsageArgsError(`--rating must be down or up, got ${JSON.stringify(rating)}`);
  const search = values.search;
  if (search !== undefined && search.trim() === '') throw new UsageArgsError('--search needs some text to look for');
  const filter: ConversationFilter = { ...(rating ? { rating } : {}), ...(search ? { search } : {}) };
  return { action: { kind: 'list', days, widgetId, filter, jsonl: values.jsonl }, help, target };
}

function parseSessionId(text: string, option: string): string {
  if (!SESSION_ID.test(text))
    throw new UsageArgsError(`--${option} takes a session id as the listing shows it, got ${JSON.stringify(text)}`);
  return text;
}
