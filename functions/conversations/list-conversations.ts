import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SessionRecord } from '../sessions/session-record';
import { COUNTER_RETENTION_DAYS } from '../usage/counter-record';
import { addUtcDays, utcDay, utcDayStart, utcDaysEndingOn } from '../usage/day';
import { listCandidates } from '../usage/report';
import type { ConfiguredWidget } from '../usage/roster';
import {
  type ConversationFilter,
  type ConversationSummary,
  conversationMatcher,
  hasTurns,
  summarizeConversation,
} from './conversation-summary';
import { createStoredConversations } from './stored-conversations';

export interface ConversationListOptions {
  doc: DynamoDBDocumentClient;
  table: string;
  /** How many UTC days of starts, ending today. */
  days?: number;
  /** Only this widget. */
  widgetId?: string;
  filter?: ConversationFilter;
  now?: () => number;
  /** Widgets to list even if the table holds no record of them yet (the local config). */
  declaredWidgets?: readonly ConfiguredWidget[];
  /** Called after each page of sessions is read. */
  onProgress?: (progress: ConversationProgress) => void;
}

export interface ConversationProgress {
  widgetsDone: number;
  widgets: number;
  sessionsRead: number;
}

/** A widget of the listing, and what its retention keeps. */
export interface ListedWidget {
  widgetId: string;
  name: string | null;
  /** `deleted`: no longer in the config; its conversations stay until they expire. */
  status: ConfiguredWidget['status'] | 'deleted';
  retentionDays: number | null;
  /** Conversations idle since before this UTC day are gone; null when the retention is unknown. */
  oldestKeptDay: string | null;
}

/** What the listing yields: a widget's conversations of one UTC day, a page at a time, oldest first. */
export type ConversationPage =
  | { kind: 'widget'; widget: ListedWidget }
  | {
      kind: 'sessions';
      widget: ListedWidget;
      day: string;
      /** Live conversations that match the filter. */
      conversations: SessionRecord[];
      /** Live sessions opened without a message (never listed, only counted). */
      withoutMessage: number;
    };

const DAY_MS = 86_400_000;

/**
 * The conversations of the last `days` UTC days (by start), widget by widget, through the
 * `conversations` index: one Query per widget over the whole window, then its sessions in
 * BatchGetItem pages, so the cost follows the conversations returned and never reads another
 * widget's data. Expired sessions (past `retentionDays` since their last turn, waiting for TTL
 * or the sweeper) never appear.
 */
export async function* listConversations({
  doc,
  table,
  days = 7,
  widgetId,
  filter = {},
  now = Date.now,
  declaredWidgets = [],
  onProgress,
}: ConversationListOptions): AsyncGenerator<ConversationPage> {
  const nowMs = now();
  const window = utcDaysEndingOn(utcDay(nowMs), days);
  // Day rosters also name widgets deleted from the config before the nightly job saw them (they live as long
  // as counters do), so a deleted widget's fresh conversations are listed.
  const recent = window.slice(-COUNTER_RETENTION_DAYS);
  const candidates = await listCandidates(doc, table, nowMs, declaredWidgets, recent);
  const wanted =
    widgetId === undefined
      ? [...candidates.values()].sort((a, b) => (a.widgetId < b.widgetId ? -1 : 1))
      : [candidates.get(widgetId) ?? { widgetId, name: null, status: 'deleted' as const }];
  const stored = createStoredConversations({ doc, table });
  const matches = conversationMatcher(filter);
  const progress: ConversationProgress = { widgetsDone: 0, widgets: wanted.length, sessionsRead: 0 };

  for (const candidate of wanted) {
    const retentionDays = candidate.retentionDays ?? null;
    const widget: ListedWidget = {
      widgetId: candidate.widgetId,
      name: candidate.name,
      status: candidate.status,
      retentionDays,
      oldestKeptDay: retentionDays === null ? null : utcDay(nowMs - retentionDays * DAY_MS),
    };
    yield { kind: 'widget', widget };
    const from = utcDayStart(window[0]!);
    const to = utcDayStart(addUtcDays(window.at(-1)!, 1));
    for await (const keys of stored.startedBetween(widget.widgetId, from, to)) {
      const sessions = await stored.read(keys);
      progress.sessionsRead += keys.length;
      onProgress?.(progress);
      const live = sessions
        .filter((session) => session.expiresAt * 1000 > nowMs)
        .sort((a, b) => a.createdAt - b.createdAt || (a.sessionId < b.sessionId ? -1 : 1));
      for (const day of new Set(live.map((session) => utcDay(session.createdAt)))) {
        const ofDay = live.filter((session) => utcDay(session.createdAt) === day);
        const conversations = ofDay.filter(hasTurns);
        yield {
          kind: 'sessions',
          widget,
          day,
          conversations: conversations.filter(matches),
          withoutMessage: ofDay.length - conversations.length,
        };
      }
    }
    progress.widgetsDone += 1;
    onProgress?.(progress);
  }
}

/** A widget's listing gathered from the pages: per UTC day, its conversations summarized. */
export interface WidgetListing {
  widget: ListedWidget;
  days: Map<string, { conversations: ConversationSummary[]; withoutMessage: number }>;
}

/** Gathers the listing's pages per widget and day (what the CLI's table and the operator page show). */
export async function gatherListings(pages: AsyncIterable<ConversationPage>): Promise<WidgetListing[]> {
  const listings: WidgetListing[] = [];
  for await (const page of pages) {
    if (page.kind === 'widget') {
      listings.push({ widget: page.widget, days: new Map() });
      continue;
    }
    const byDay = listings.at(-1)!.days;
    const day = byDay.get(page.day) ?? { conversations: [], withoutMessage: 0 };
    day.conversations.push(...page.conversations.map(summarizeConversation));
    day.withoutMessage += page.withoutMessage;
    byDay.set(page.day, day);
  }
  return listings;
}
