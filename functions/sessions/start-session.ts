import { randomUUID } from 'node:crypto';
import * as z from 'zod/mini';
import { PerchError } from '../errors/perch-error';
import { parseJsonBody } from '../http/json-body';
import type { ApiRequest } from '../http/request';
import { jsonResponse, preflightResponse, type ApiResponse } from '../http/response';
import type { UsageCounters } from '../limits/usage-counters';
import type { WidgetRecord } from '../records/table';
import { admitWidgetByKey } from '../widgets/admit-widget';
import type { WidgetStore } from '../widgets/widget-store';
import { readableOrigin } from '../origins/origin';
import { keyVersionLive } from './authorize-session';
import { expirySeconds, ofWidget, orderedTurns, sessionKey, type SessionRecord, type SessionStore } from './session-record';
import { signSessionToken, TOKEN_LIFETIME_MS, verifySessionToken } from './session-token';
import type { SessionKeys } from './signing-secret';

export const startSessionBodySchema = z.strictObject({
  key: z.string().check(z.minLength(1), z.maxLength(100)),
  resume: z.optional(z.string().check(z.minLength(1), z.maxLength(1024))),
});

export interface SessionRouteOptions {
  widgets: WidgetStore;
  sessions: SessionStore;
  loadKeys: () => Promise<SessionKeys>;
  counters: UsageCounters;
  now?: () => number;
}

/** The 201 body of DESIGN.md: session id, fresh token, its expiry and the history. */
function sessionResponse(session: SessionRecord, keys: SessionKeys, corsOrigin: string, now: number): ApiResponse {
  const exp = Math.floor((now + TOKEN_LIFETIME_MS) / 1000);
  const token = signSessionToken({ sid: session.sessionId, wid: session.widgetId, org: session.origin, kv: session.keyVersion, exp }, keys.tokenKey);
  return jsonResponse(
    201,
    {
      sessionId: session.sessionId,
      token,
      expiresAt: new Date(exp * 1000).toISOString(),
      history: orderedTurns(session).map(({ id, role, text }) => ({ id, role, text })),
    },
    corsOrigin,
  );
}

/**
 * `POST /v1/sessions {key, resume?}`: resumes the session of a genuine earlier token (even an
 * expired one: it proves the browser owned the session) when it still belongs to this widget
 * and origin and its key version is live; otherwise starts a new session, which a rotated key
 * may not do.
 */
export function createSessionRoute({ widgets, sessions, loadKeys, counters, now = Date.now }: SessionRouteOptions) {
  return async (request: ApiRequest): Promise<ApiResponse> => {
    const origin = request.headers.origin;
    if (request.method === 'OPTIONS') {
      // The key travels in the body, which a preflight lacks; the POST itself checks the origin.
      const anyOrigin = readableOrigin(origin);
      if (!anyOrigin) throw new PerchError('widget_origin_denied');
      return preflightResponse(anyOrigin, 'POST, OPTIONS');
    }
    if (request.method !== 'POST') throw new PerchError('method_not_allowed', { headers: { Allow: 'POST, OPTIONS' } });
    const at = now();
    const body = parseJsonBody(request.body, startSessionBodySchema, { corsOrigin: readableOrigin(origin) });
    const keys = await loadKeys();
    const admitted = await admitWidgetByKey(widgets, { publicKey: body.key, origin, now: at, purpose: 'appearance' }).catch(
      async (error: unknown) => {
        if (error instanceof PerchError && error.code === 'widget_origin_denied') {
          const key = await widgets.findKey(body.key);
          if (key) await counters.refused(key.widgetId, error.code, at);
        }
        throw error;
      },
    );
    const { widget, key, corsOrigin } = admitted;

    if (body.resume) {
      const resumed = await resumeSession(body.resume, { widget, origin: corsOrigin, keys, sessions, now: at });
      if (resumed) {
        // A page already on the current key carries its conversation over to that key version,
        // so a rotation's grace period does not end a visitor's chat on an updated page.
        const keyVersion = key.keyVersion === widget.keyVersion ? widget.keyVersion : resumed.keyVersion;
        return sessionResponse({ ...resumed, keyVersion }, keys, corsOrigin, at);
      }
    }
    if (key.keyVersion !== widget.keyVersion) throw new PerchError('key_rotated', { corsOrigin });
    const session: SessionRecord = {
      ...sessionKey(randomUUID()),
      sessionId: '',
      widgetId: widget.widgetId,
      keyVersion: widget.keyVersion,
      origin: corsOrigin,
      incarnation: widget.incarnation,
      createdAt: at,
      expiresAt: expirySeconds(at, widget.retentionDays),
      turns: {},
    };
    session.sessionId = session.pk.slice('SESSION#'.length);
    await sessions.create(session);
    await counters.sessionStarted(widget.widgetId, at);
    return sessionResponse(session, keys, corsOrigin, at);
  };
}

async function resumeSession(
  token: string,
  { widget, origin, keys, sessions, now }: { widget: WidgetRecord; origin: string; keys: SessionKeys; sessions: SessionStore; now: number },
): Promise<SessionRecord | undefined> {
  const check = verifySessionToken(token, keys.tokenKey, now);
  if (!check.ok) return undefined;
  const { claims } = check;
  if (claims.wid !== widget.widgetId || claims.org !== origin || !keyVersionLive(widget, claims.kv, now)) return undefined;
  const session = await sessions.find(claims.sid, now);
  return session && ofWidget(session, widget) && session.origin === origin ? session : undefined;
}
