import * as z from 'zod/mini';
import { PerchError } from '../errors/perch-error';
import { parseJsonBody } from '../http/json-body';
import type { ApiRequest } from '../http/request';
import { corsHeaders, preflightResponse, type ApiResponse } from '../http/response';
import type { WidgetRecord } from '../records/table';
import { authorizeSession, authorizeSessionPreflight } from './authorize-session';
import type { SessionStore } from './session-record';
import type { SessionKeys } from './signing-secret';

export const feedbackBodySchema = z.strictObject({ messageId: z.uuid(), rating: z.enum(['up', 'down']) });

export interface FeedbackRouteOptions {
  sessions: SessionStore;
  findWidget: (widgetId: string) => Promise<WidgetRecord | undefined>;
  loadKeys: () => Promise<SessionKeys>;
  now?: () => number;
}

/** `POST /v1/sessions/{id}/feedback {messageId, rating}`: thumbs up/down on an answer. */
export function createFeedbackRoute({ sessions, findWidget, loadKeys, now = Date.now }: FeedbackRouteOptions) {
  return async (request: ApiRequest): Promise<ApiResponse> => {
    if (request.method === 'OPTIONS') {
      return preflightResponse(await authorizeSessionPreflight(request, { sessions, findWidget, now: now() }), 'POST, OPTIONS');
    }
    if (request.method !== 'POST') throw new PerchError('method_not_allowed', { headers: { Allow: 'POST, OPTIONS' } });
    const at = now();
    const { widget, session, corsOrigin } = await authorizeSession(request, { sessions, keys: await loadKeys(), now: at });
    const body = parseJsonBody(request.body, feedbackBodySchema, { corsOrigin });
    if (!widget.feedback) throw new PerchError('bad_request', { message: 'Feedback is off for this widget.', corsOrigin });
    if (!(await sessions.rate(session.sessionId, widget.widgetId, body.messageId, body.rating, at))) {
      throw new PerchError('bad_request', { message: 'messageId: no such answer in this session', corsOrigin });
    }
    return { status: 204, headers: { 'Cache-Control': 'no-store', ...corsHeaders(corsOrigin) }, body: '' };
  };
}
