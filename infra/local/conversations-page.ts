import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { exportConversation } from '../../functions/conversations/conversation-summary';
import {
  gatherListings,
  listConversations,
  type WidgetListing,
} from '../../functions/conversations/list-conversations';
import { findSession } from '../../functions/conversations/stored-conversations';
import { MAX_LIST_DAYS, SESSION_ID } from '../conversations/args';
import { WIDGET_ID } from '../usage/args';
import { conversationBody, type ListingQuery, listingBody, MAX_SEARCH_CHARS } from './conversations-html';
import { CONVERSATIONS_PAGE_PATH, createOperatorPage } from './operator-page';
import type { LocalPathHandler } from './server';

export interface ConversationsPageOptions {
  doc: DynamoDBDocumentClient;
  table: string;
  now?: () => number;
}

const conversationsPage = createOperatorPage({
  formsToSelf: true,
  extraStyle:
    '\nh3{font-size:1rem;margin:1.2rem 0 .3rem}form label{margin-right:.8rem}.note{color:#555}' +
    'code{background:#f3f4f6;padding:0 .2rem}.turn{border-left:3px solid #e5e7eb;padding-left:.8rem;margin:1rem 0}' +
    '.turn.assistant{border-color:#2563eb}.said{white-space:pre-wrap;margin:0 0 .4rem;max-width:48rem}',
});

type ConversationsQuery = ({ kind: 'list' } & ListingQuery) | { kind: 'show'; sessionId: string };

const LIST_PARAMS = ['days', 'widget', 'rating', 'search'] as const;

/**
 * The operator's conversations on the local target, `GET /_perch/conversations[?days=7&widget=id
 * &rating=up|down&search=text]` per widget and UTC day of their start, or `?session=id` for one
 * turn by turn. It only reads (erasure stays in the CLI) and answers only the operator's own
 * browser (see `operatorRefusal`). Every stored text is escaped: transcripts are visitor and model output.
 */
export function createConversationsPage({ doc, table, now = Date.now }: ConversationsPageOptions): LocalPathHandler {
  return async (req, res, url) => {
    if (url.pathname !== CONVERSATIONS_PAGE_PATH) return false;
    if (conversationsPage.refuseNonOperator(req, res)) return true;
    const query = parseQuery(url.searchParams);
    const back: [string, string] = [CONVERSATIONS_PAGE_PATH, 'conversations'];
    if (typeof query === 'string') {
      conversationsPage.sendNotice(res, 400, { title: 'Bad request', message: query, back }, req.method);
      return true;
    }
    const nowMs = now();
    if (query.kind === 'show') {
      const session = await findSession({ doc, table }, query.sessionId, nowMs);
      if (session) {
        const html = conversationsPage.render(
          `Conversation ${session.sessionId}`,
          conversationBody(exportConversation(session), nowMs),
        );
        conversationsPage.send(res, 200, html, req.method);
      } else {
        const message = `No conversation ${query.sessionId}: erased, expired or never stored.`;
        conversationsPage.sendNotice(res, 404, { title: 'Not found', message, back }, req.method);
      }
      return true;
    }
    const listings = await readListings({ doc, table }, query, nowMs);
    const html = conversationsPage.render('Perch conversations', listingBody(listings, query, nowMs));
    conversationsPage.send(res, 200, html, req.method);
    return true;
  };
}

function parseQuery(params: URLSearchParams): ConversationsQuery | string {
  for (const name of new Set(params.keys())) {
    if (name !== 'session' && !(LIST_PARAMS as readonly string[]).includes(name))
      return `Unknown parameter "${name}"; use days, widget, rating, search or session.`;
    if (params.getAll(name).length > 1) return `${name} is given more than once.`;
  }
  // The filter form sends its empty fields too; an empty field means "any".
  const given = (name: (typeof LIST_PARAMS)[number]) => params.get(name)?.trim() || undefined;
  const sessionId = params.get('session');
  if (sessionId !== null) {
    const listOnly = LIST_PARAMS.find((name) => given(name) !== undefined);
    if (listOnly) return `${listOnly} filters the listing; it does not apply to session.`;
    if (!SESSION_ID.test(sessionId)) return 'session must be a session id as the listing shows it.';
    return { kind: 'show', sessionId };
  }
  const daysText = given('days') ?? '7';
  const days = /^\d{1,4}$/.test(daysText) ? Number(daysText) : NaN;
  if (!(days >= 1 && days <= MAX_LIST_DAYS)) return `days must be a whole number from 1 to ${MAX_LIST_DAYS}.`;
  const widgetId = given('widget');
  if (widgetId !== undefined && !WIDGET_ID.test(widgetId)) return 'widget must be a widget id such as docs-bot.';
  const rating = given('rating');
  if (rating !== undefined && rating !== 'up' && rating !== 'down') return 'rating must be up or down.';
  // Searched as typed; only the test for an empty field trims.
  const search = given('search') === undefined ? undefined : params.get('search')!;
  if (search && search.length > MAX_SEARCH_CHARS) return `search must be at most ${MAX_SEARCH_CHARS} characters.`;
  return { kind: 'list', days, widgetId, filter: { ...(rating ? { rating } : {}), ...(search ? { search } : {}) } };
}

/** The listing gathered per widget and day, as the CLI gathers it. */
function readListings(
  { doc, table }: Pick<ConversationsPageOptions, 'doc' | 'table'>,
  { days, widgetId, filter }: ListingQuery,
  nowMs: number,
): Promise<WidgetListing[]> {
  return gatherListings(listConversations({ doc, table, days, widgetId, filter, now: () => nowMs }));
}
