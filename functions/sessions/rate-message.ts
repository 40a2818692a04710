import * as z from 'zod/mini';
import { PerchError } from '../errors/perch-error';
import { widgetBySession } from '../http/admission';
import { createEdgeRoute } from '../http/edge';
import type { UsageCounters } from '../limits/usage-counters';
import type { Logger } from '../logging/logger';
import type { WidgetRecord } from '../records/table';
import type { SessionStore } from './session-record';
import type { SessionKeys } from './signing-secret';

export const feedbackBodySchema = z.strictObject({ messageId: z.uuid(), rating: z.enum(['up', 'down']) });

export interface FeedbackRouteOptions {
  sessions: SessionStore;
  findWidget: (widgetId: string) => Promise<WidgetRecord | undefined>;
  loadKeys: () => Promise<SessionKeys>;
  counters?: Pick<UsageCounters, 'refused'>;
  now?: () => number;
  logger?: Pick<Logger, 'error'>;
}

/** `POST /v1/sessions/{id}/feedback {messageId, rating}`: thumbs up/down on an answer. */
export function createFeedbackRoute({
  sessions,
  findWidget,
  loadKeys,
  counters,
  now = Date.now,
  logger,
}: FeedbackRouteOptions) {
  return createEdgeRoute(
    'feedback',
    widgetBySession(feedbackBodySchema, { sessions, findWidget, loadKeys, now }),
    async ({ widget, session, body, at }) => {
      if (!widget.feedback) throw new PerchError('bad_request', { message: 'Feedback is off for this widget.' });
      if (!(await sessions.rate(session.sessionId, widget.widgetId, body.messageId, body.rating, at))) {
        throw new PerchError('bad_request', { message: 'messageId: no such answer in this session' });
      }
      return { status: 204, headers: { 'Cache-Control': 'no-store' }, body: '' };
    },
    { counters, now, logger },
  );
}
