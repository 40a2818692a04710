import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { PerchError } from '../errors/perch-error';
import { widgetByBodyKey } from '../http/admission';
import { createEdgeRoute } from '../http/edge';
import { type ApiResponse, jsonResponse } from '../http/response';
import { admitSessionStart } from '../limits/admit-session';
import type { UsageCounters } from '../limits/usage-counters';
import { visitorHash } from '../limits/visitor';
import type { Logger } from '../logging/logger';
import type { WidgetRecord } from '../records/table';
import { utcDay } from '../usage/day';
import type { WidgetStore } from '../widgets/widget-store';
import { keyVersionLive } from './authorize-session';
import {
  expirySeconds,
  ofWidget,
  orderedTurns,
  type SessionRecord,
  type SessionStore,
  sessionKey,
} from './session-record';
import { signSessionToken, TOKEN_LIFETIME_MS, verifySessionToken } from './session-token';
import type { SessionKeys } from './signing-secret';

export const startSessionBodySchema = z.strictObject({
  key: z.string().check(z.minLength(1), z.maxLength(100)),
  resume: z.optional(z.string().check(z.minLength(1), z.maxLength(1024))),
});

export interface SessionRouteOptions {
  doc: DynamoDBDocumentClient;
  table: string;
  widgets: WidgetStore;
  sessions: SessionStore;
  loadKeys: () => Promise<SessionKeys>;
  counters: UsageCounters;
  now?: () => number;
  logger?: Pick<Logger, 'error'>;
}

/** The 201 body of DESIGN.md: session id, fresh token, its expiry and the history. */
function sessionResponse(session: SessionRecord, keys: SessionKeys, now: number): ApiResponse {
  const exp = Math.floor((now + TOKEN_LIFETIME_MS) / 1000);
  const claims = { sid: session.sessionId, wid: session.widgetId, org: session.origin, kv: session.keyVersion, exp };
  return jsonResponse(201, {
    sessionId: session.sessionId,
    token: signSessionToken(claims, keys.tokenKey),
    expiresAt: new Date(exp * 1000).toISOString(),
    history: orderedTurns(session).map(({ id, role, text, sources }) => ({
      id,
      role,
      text,
      ...(sources && { sources }),
    })),
  });
}

/**
 * `POST /v1/sessions {key, resume?}`: resumes the session of a genuine earlier token (even an
 * expired one: it proves the browser owned the session) when it still belongs to this widget
 * and origin and its key version is live; otherwise starts a new session, which a rotated key
 * may not do.
 */
export function createSessionRoute({
  doc,
  table,
  widgets,
  sessions,
  loadKeys,
  counters,
  now = Date.now,
  logger,
}: SessionRouteOptions) {
  return createEdgeRoute(
    'sessions',
    widgetByBodyKey(startSessionBodySchema, { widgets, now }),
    async ({ widget, key, body }, request) => {
      const at = now();
      const keys = await loadKeys();
      // Admitted, so the Origin is well-formed and allowed.
      const origin = request.headers.origin ?? '';
      if (body.resume) {
        const resumed = await resumeSession(body.resume, { widget, origin, keys, sessions, now: at });
        if (resumed) {
          // A page already on the current key carries its conversation over to that key version,
          // so a rotation's grace period does not end a visitor's chat on an updated page.
          const keyVersion = key.keyVersion === widget.keyVersion ? widget.keyVersion : resumed.keyVersion;
          return sessionResponse({ ...resumed, keyVersion }, keys, at);
        }
      }
      if (key.keyVersion !== widget.keyVersion) throw new PerchError('key_rotated');
      // Only a new session counts: a resume above mints nothing.
      await admitSessionStart({
        doc,
        table,
        widgetId: widget.widgetId,
        limits: widget.limits,
        visitor: visitorHash(keys.visitorSalt, request.sourceIp, utcDay(at)),
        now: at,
      });
      const sessionId = randomUUID();
      const session: SessionRecord = {
        ...sessionKey(sessionId),
        sessionId,
        widgetId: widget.widgetId,
        keyVersion: widget.keyVersion,
        origin,
        incarnation: widget.incarnation,
        createdAt: at,
        expiresAt: expirySeconds(at, widget.retentionDays),
        turns: {},
      };
      await sessions.create(session);
      return sessionResponse(session, keys, at);
    },
    { counters, now, logger },
  );
}

async function resumeSession(
  token: string,
  {
    widget,
    origin,
    keys,
    sessions,
    now,
  }: { widget: WidgetRecord; origin: string; keys: SessionKeys; sessions: SessionStore; now: number },
): Promise<SessionRecord | undefined> {
  const check = verifySessionToken(token, keys.tokenKey, now);
  if (!check.ok) return undefined;
  const { claims } = check;
  if (claims.wid !== widget.widgetId || claims.org !== origin || !keyVersionLive(widget, claims.kv, now))
    return undefined;
  const session = await sessions.find(claims.sid, now);
  return session && ofWidget(session, widget) && session.origin === origin ? session : undefined;
}
