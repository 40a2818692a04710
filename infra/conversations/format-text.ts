import type { ConversationExport, ConversationFilter } from '../../functions/conversations/conversation-summary';
import type { ErasedItem } from '../../functions/conversations/erase-conversations';
import type { ListedWidget, WidgetListing } from '../../functions/conversations/list-conversations';
import { formatCount, printable, table } from '../usage/format-text';

/** `13:46:27` of an ISO time (UTC). */
export const time = (iso: string) => iso.slice(11, 19);
/** `2026-12-02 13:46` of an ISO time (UTC). */
export const minute = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
/** `1 conversation`, `1,204 conversations`. */
export const plural = (n: number, word: string) => `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;

/** The listing as terminal text: per widget its retention, then per day a table of conversations. */
export function formatConversationList(
  listings: WidgetListing[],
  { days, filter, source }: { days: string[]; filter: ConversationFilter; source: string },
): string {
  const lines = [
    `Perch conversations started ${days[0]} → ${days.at(-1)} UTC (${plural(days.length, 'day')}) — ${source}`,
  ];
  const filters = [
    filter.rating ? `with an answer rated ${filter.rating}` : '',
    filter.search ? `containing ${JSON.stringify(printable(filter.search))}` : '',
  ].filter(Boolean);
  if (filters.length > 0) lines.push(`Only conversations ${filters.join(' and ')}.`);
  if (listings.length === 0) return [...lines, '', 'No widgets.'].join('\n');
  let total = 0;
  for (const { widget, days: byDay } of listings) {
    lines.push('', widgetHeading(widget));
    if (byDay.size === 0) lines.push('  No conversations.');
    for (const [day, { conversations, withoutMessage }] of [...byDay].sort(([a], [b]) => (a < b ? -1 : 1))) {
      total += conversations.length;
      const opened = withoutMessage > 0 ? ` (+${plural(withoutMessage, 'session')} opened without a message)` : '';
      lines.push('', `  ${day}: ${plural(conversations.length, 'conversation')}${opened}`);
      if (conversations.length === 0) continue;
      const rows = conversations.map((c) => [
        time(c.startedAt),
        c.sessionId,
        formatCount(c.turnCount),
        minute(c.lastActivityAt),
        formatCount(c.ratings.up),
        formatCount(c.ratings.down),
        c.sub === undefined ? '—' : printable(c.sub),
        printable(c.preview),
      ]);
      const header = ['started', 'session', 'turns', 'last activity', 'up', 'down', 'signed in', 'first question'];
      const text = (c: number) => ![2, 4, 5].includes(c);
      lines.push(...table(header, rows, undefined, text).map((line) => `  ${line}`));
    }
  }
  lines.push('', `${plural(total, 'conversation')} in ${plural(listings.length, 'widget')}.`);
  return lines.join('\n');
}

function widgetHeading({ widgetId, name, status, retentionDays, oldestKeptDay }: ListedWidget): string {
  const state = status === 'active' ? '' : ` (${status})`;
  const title = `${printable(widgetId)}${name ? ` — ${printable(name)}` : ''}${state}`;
  return retentionDays === null
    ? `${title}: kept until each conversation's own expiry`
    : `${title}: kept ${plural(retentionDays, 'day')} after the last turn (oldest kept day ${oldestKeptDay})`;
}

/** One conversation turn by turn, each answer with its rating and numbered sources. */
export function formatConversation(conversation: ConversationExport): string {
  const c = conversation;
  const who = c.sub === undefined ? 'anonymous visitor' : `signed in as ${printable(c.sub)}`;
  const lines = [
    `Conversation ${c.sessionId} — widget ${printable(c.widgetId)}, ${printable(c.origin)}, ${who}`,
    `Started ${minute(c.startedAt)} UTC, last activity ${minute(c.lastActivityAt)} UTC, ` +
      `kept until ${minute(c.expiresAt)} UTC; ` +
      `${formatCount(c.ratings.up)} rated up, ${formatCount(c.ratings.down)} down`,
  ];
  if (c.turns.length === 0) lines.push('', 'No turns: the session was opened without a message.');
  for (const turn of c.turns) {
    const rating = turn.rating ? `  (rated ${turn.rating})` : '';
    lines.push('', `[${time(turn.at)}] ${turn.role}${rating}`);
    for (const line of turn.text.split('\n')) lines.push(`  ${printable(line)}`);
    if (turn.sources?.length) {
      lines.push('  Sources:');
      turn.sources.forEach((source, i) => {
        const where = source.url ? `${printable(source.path)}, ${printable(source.url)}` : printable(source.path);
        lines.push(`    ${i + 1}. ${printable(source.title)} (${where})`);
      });
    }
  }
  return lines.join('\n');
}

/** What an erasure deleted, item by item; an empty list says there was nothing left to erase. */
export function formatErasure(erased: ErasedItem[], { what }: { what: string }): string {
  if (erased.length === 0)
    return `Nothing to erase for ${what}: no item holds it (already erased, expired and swept, or never stored).`;
  const conversations = erased.filter((item) => item.holds === 'conversation');
  const turns = conversations.reduce((sum, item) => sum + (item.turnCount ?? 0), 0);
  return [
    `Erased ${plural(conversations.length, 'conversation')} (${plural(turns, 'turn')}) for ${what}; ` +
      `deleted ${plural(erased.length, 'item')}:`,
    ...table(
      ['item', 'holds', 'session', 'widget'],
      erased.map((item) => [`${item.pk} / ${item.sk}`, item.holds, item.sessionId, printable(item.widgetId ?? '')]),
      undefined,
      () => true,
    ).map((line) => `  ${line}`),
    'Usage counters are kept: they hold counts, not text or identity.',
  ].join('\n');
}
