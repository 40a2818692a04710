import { exportConversation } from '../../functions/conversations/conversation-summary';
import { createEraser } from '../../functions/conversations/erase-conversations';
import { gatherListings, listConversations } from '../../functions/conversations/list-conversations';
import { findSession } from '../../functions/conversations/stored-conversations';
import { utcDay, utcDaysEndingOn } from '../../functions/usage/day';
import { runTableCommand, type UsageCliIo } from '../usage/cli';
import { formatCount } from '../usage/format-text';
import { createProgress } from '../usage/progress';
import type { UsageSource } from '../usage/source';
import { CONVERSATIONS_HELP, type ConversationsAction, parseConversationsArgs } from './args';
import { formatConversation, formatConversationList, formatErasure, plural } from './format-text';

/** `npm run conversations`: lists, shows, exports or erases; returns the exit code (2: bad arguments, 1: failure). */
export const runConversationsCli = (argv: readonly string[], io: UsageCliIo) =>
  runTableCommand(
    {
      name: 'conversations',
      help: CONVERSATIONS_HELP,
      parse: parseConversationsArgs,
      run: (args, source, runIo) => run(args.action, source, runIo),
    },
    argv,
    io,
  );

async function run(
  action: ConversationsAction,
  source: UsageSource,
  { stdout, stderr, now }: Required<Pick<UsageCliIo, 'stdout' | 'stderr' | 'now'>>,
): Promise<number> {
  const { doc, table } = source;
  if (action.kind === 'erase' || action.kind === 'erase-identity') {
    const eraser = createEraser({ doc, table, now });
    const erased =
      action.kind === 'erase'
        ? await eraser.eraseSession(action.sessionId)
        : await eraser.eraseIdentity(action.sub, { widgetId: action.widgetId });
    const what =
      action.kind === 'erase'
        ? `session ${action.sessionId}`
        : `sub ${JSON.stringify(action.sub)}${action.widgetId ? ` in widget ${action.widgetId}` : ''}`;
    stdout.write(`${formatErasure(erased, { what })}\n`);
    return 0;
  }
  if (action.kind === 'show') {
    const session = await findSession({ doc, table }, action.sessionId, now());
    if (!session) {
      stderr.write(
        `error: no conversation ${action.sessionId} in ${source.description} (erased, expired or unknown)\n`,
      );
      return 1;
    }
    const conversation = exportConversation(session);
    stdout.write(`${action.jsonl ? JSON.stringify(conversation) : formatConversation(conversation)}\n`);
    return 0;
  }

  const progress = createProgress({ stream: stderr, label: 'reading conversations:' });
  const pages = listConversations({
    doc,
    table,
    days: action.days,
    widgetId: action.widgetId,
    filter: action.filter,
    now,
    declaredWidgets: source.declaredWidgets,
    onProgress: ({ sessionsRead, widgetsDone, widgets }) =>
      progress.show(`${formatCount(sessionsRead)} sessions read, widget ${widgetsDone}/${widgets}`),
  });
  if (action.jsonl) {
    let exported = 0;
    for await (const page of pages) {
      if (page.kind === 'widget') continue;
      for (const session of page.conversations) stdout.write(`${JSON.stringify(exportConversation(session))}\n`);
      exported += page.conversations.length;
    }
    progress.finish();
    stderr.write(`exported ${plural(exported, 'conversation')}\n`);
    return 0;
  }
  const listings = await gatherListings(pages);
  progress.finish();
  if (action.widgetId !== undefined && listings[0]?.widget.status === 'deleted' && listings[0].days.size === 0) {
    stderr.write(`note: no widget "${action.widgetId}" in the config, and no conversations of it in this window\n`);
  }
  const days = utcDaysEndingOn(utcDay(now()), action.days);
  stdout.write(`${formatConversationList(listings, { days, filter: action.filter, source: source.description })}\n`);
  return 0;
}
