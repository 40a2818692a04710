import type { ConversationExport, ConversationFilter } from '../../functions/conversations/conversation-summary';
import type { WidgetListing } from '../../functions/conversations/list-conversations';
import type { KnowledgeSource } from '../../functions/knowledge/passage';
import { utcDay, utcDayStart, utcDaysEndingOn } from '../../functions/usage/day';
import { MAX_LIST_DAYS } from '../conversations/args';
import { minute, plural, time } from '../conversations/format-text';
import { formatCount } from '../usage/format-text';
import { CONVERSATIONS_PAGE_PATH, escapeHtml, USAGE_PAGE_PATH } from './operator-page';

/** What the listing was asked for. */
export interface ListingQuery {
  days: number;
  widgetId?: string;
  filter: ConversationFilter;
}

export const MAX_SEARCH_CHARS = 200;
const DAY_MS = 86_400_000;

/** A link to this page with `params` (values escaped for the attribute). */
function pageLink(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) search.set(name, String(value));
  const query = search.toString();
  return escapeHtml(query ? `${CONVERSATIONS_PAGE_PATH}?${query}` : CONVERSATIONS_PAGE_PATH);
}

const ERASE_NOTE =
  '<p class="note">This page only reads. To erase a conversation: ' +
  '<code>npm run conversations -- --erase &lt;id&gt;</code>; every conversation of a signed-in visitor: ' +
  '<code>npm run conversations -- --erase-identity &lt;sub&gt;</code>.</p>';

/** The listing's body: per widget its retention, then per day a table of conversations. */
export function listingBody(
  listings: WidgetListing[],
  { days, widgetId, filter }: ListingQuery,
  nowMs: number,
): string {
  const window = utcDaysEndingOn(utcDay(nowMs), days);
  const meta =
    `<p class="meta">Started ${window[0]} → ${window.at(-1)} UTC (${plural(days, 'day')}). ` +
    `Generated ${new Date(nowMs).toISOString()}.</p>`;
  const filtered = widgetId !== undefined || filter.rating !== undefined || filter.search !== undefined;
  const nav =
    `<nav><a href="${escapeHtml(USAGE_PAGE_PATH + (widgetId ? `?widget=${widgetId}` : ''))}">usage</a>` +
    `${filtered ? ` <a href="${pageLink({ days })}">all conversations</a>` : ''}</nav>`;
  const only = [
    filter.rating ? `with an answer rated ${filter.rating}` : '',
    filter.search ? `containing “${escapeHtml(filter.search)}”` : '',
  ].filter(Boolean);
  const sections = listings.map(widgetSection);
  const total = listings.reduce(
    (sum, { days: byDay }) => sum + [...byDay.values()].reduce((n, day) => n + day.conversations.length, 0),
    0,
  );
  const found =
    listings.length === 0
      ? '<p>No widgets.</p>'
      : `<p>${plural(total, 'conversation')} in ${plural(listings.length, 'widget')}.</p>`;
  return (
    `<h1>Perch conversations</h1>${meta}${nav}${filterForm({ days, widgetId, filter })}${ERASE_NOTE}` +
    `${only.length > 0 ? `<p>Only conversations ${only.join(' and ')}.</p>` : ''}${sections.join('')}${found}`
  );
}

/** The filter as a plain GET form back to this page (no script). */
function filterForm({ days, widgetId, filter }: ListingQuery): string {
  const option = (value: string, label: string) =>
    `<option value="${value}"${filter.rating === value || (!filter.rating && !value) ? ' selected' : ''}>` +
    `${label}</option>`;
  return (
    `<form method="get" action="${CONVERSATIONS_PAGE_PATH}">` +
    `<label>days <input type="number" name="days" min="1" max="${MAX_LIST_DAYS}" value="${days}"></label>` +
    `<label>widget <input name="widget" value="${escapeHtml(widgetId ?? '')}" placeholder="all"></label>` +
    `<label>rating <select name="rating">${option('', 'any')}${option('up', 'up')}${option('down', 'down')}` +
    '</select></label>' +
    `<label>text <input type="search" name="search" maxlength="${MAX_SEARCH_CHARS}" ` +
    `value="${escapeHtml(filter.search ?? '')}"></label><button type="submit">Filter</button></form>`
  );
}

function widgetSection({ widget, days: byDay }: WidgetListing): string {
  const { widgetId, name, status, retentionDays, oldestKeptDay } = widget;
  const heading =
    `<h2>${escapeHtml(widgetId)}${name ? ` — ${escapeHtml(name)}` : ''}` +
    `${status === 'active' ? '' : ` <span class="status">${escapeHtml(status)}</span>`}</h2>`;
  const retention =
    retentionDays === null
      ? "Kept until each conversation's own expiry."
      : `Kept ${plural(retentionDays, 'day')} after the last turn; the oldest kept day is ${oldestKeptDay}.`;
  if (byDay.size === 0 && status === 'deleted')
    return `${heading}<p>Not in the config, and no conversations of it in these days.</p>`;
  if (byDay.size === 0) return `${heading}<p class="meta">${retention}</p><p>No conversations.</p>`;
  const days = [...byDay].sort(([a], [b]) => (a < b ? -1 : 1));
  return `${heading}<p class="meta">${retention}</p>${days.map(([day, listed]) => dayTable(day, listed)).join('')}`;
}

type ListedDay = NonNullable<ReturnType<WidgetListing['days']['get']>>;

function dayTable(day: string, { conversations, withoutMessage }: ListedDay): string {
  const opened = withoutMessage > 0 ? ` (+${plural(withoutMessage, 'session')} opened without a message)` : '';
  const heading = `<h3>${day}: ${plural(conversations.length, 'conversation')}${opened}</h3>`;
  if (conversations.length === 0) return heading;
  const rows = conversations
    .map(
      (c) =>
        `<tr><td>${time(c.startedAt)}</td>` +
        `<td class="text"><a href="${pageLink({ session: c.sessionId })}">${escapeHtml(c.sessionId)}</a></td>` +
        `<td>${formatCount(c.turnCount)}</td><td>${minute(c.lastActivityAt)}</td>` +
        `<td>${formatCount(c.ratings.up)}</td><td>${formatCount(c.ratings.down)}</td>` +
        `<td class="text">${c.sub === undefined ? '—' : escapeHtml(c.sub)}</td>` +
        `<td class="text">${escapeHtml(c.preview)}</td></tr>`,
    )
    .join('\n');
  return (
    `${heading}<table><thead><tr><th>started</th><th class="text">session</th><th>turns</th>` +
    '<th>last activity</th><th>up</th><th>down</th><th class="text">signed in</th>' +
    `<th class="text">first question</th></tr></thead><tbody>${rows}</tbody></table>`
  );
}

/** One conversation's body, turn by turn, each answer with its rating and numbered sources. */
export function conversationBody(c: ConversationExport, nowMs: number): string {
  const who = c.sub === undefined ? 'anonymous visitor' : `signed in as ${escapeHtml(c.sub)}`;
  const meta =
    `<p class="meta">Widget ${escapeHtml(c.widgetId)}, ${escapeHtml(c.origin)}, ${who}. ` +
    `Started ${minute(c.startedAt)} UTC, last activity ${minute(c.lastActivityAt)} UTC, ` +
    `kept until ${minute(c.expiresAt)} UTC; ` +
    `${formatCount(c.ratings.up)} rated up, ${formatCount(c.ratings.down)} down.</p>`;
  // Back to a listing long enough to hold the day it started.
  const daysSinceStart = Math.round((utcDayStart(utcDay(nowMs)) - utcDayStart(c.day)) / DAY_MS) + 1;
  const days = Math.min(MAX_LIST_DAYS, Math.max(7, daysSinceStart));
  const nav =
    `<nav><a href="${pageLink({ days, widget: c.widgetId })}">conversations of ${escapeHtml(c.widgetId)}</a>` +
    ` <a href="${USAGE_PAGE_PATH}">usage</a></nav>`;
  const note =
    '<p class="note">This page only reads. To erase this conversation: ' +
    `<code>npm run conversations -- --erase ${escapeHtml(c.sessionId)}</code></p>`;
  const turns =
    c.turns.length === 0
      ? '<p>No turns: the session was opened without a message.</p>'
      : c.turns.map((turn) => turnSection(turn)).join('\n');
  return `<h1>Conversation ${escapeHtml(c.sessionId)}</h1>${meta}${nav}${note}${turns}`;
}

function turnSection(turn: ConversationExport['turns'][number]): string {
  // Role and rating come from the stored item too: escaped like the text.
  const rating = turn.rating ? `, rated ${escapeHtml(turn.rating)}` : '';
  const sources = turn.sources?.length
    ? `<ol class="sources">${turn.sources.map((source) => `<li>${sourceItem(source)}</li>`).join('')}</ol>`
    : '';
  return (
    `<section class="${turn.role === 'assistant' ? 'turn assistant' : 'turn'}">` +
    `<h3>${time(turn.at)} UTC · ${escapeHtml(turn.role)}${rating}</h3>` +
    `<p class="said">${escapeHtml(turn.text)}</p>${sources}</section>`
  );
}

/** A source's title, a link only when its URL is http(s): a stored `javascript:` URL stays text. */
function sourceItem({ title, path, url }: KnowledgeSource): string {
  const href = url === undefined ? undefined : webAddress(url);
  const named = href ? `<a href="${escapeHtml(href)}" rel="noreferrer">${escapeHtml(title)}</a>` : escapeHtml(title);
  const where = url !== undefined && !href ? `${escapeHtml(path)}, ${escapeHtml(url)}` : escapeHtml(path);
  return `${named} <span class="status">(${where})</span>`;
}

function webAddress(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}
