import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { PerchError } from '../errors/perch-error';
import { widgetByBodyKey } from '../http/admission';
import { createEdgeRoute } from '../http/edge';
import { type ApiResponse, jsonResponse } from '../http/response';
import type { SignedInSessions } from '../identity/signed-in-sessions';
import type { IdentityVerifier } from '../identity/verify-visitor';
import { admitSessionStart } from '../limits/admit-session';
import type { UsageCounters } from '../limits/usage-counters';
import { visitorHash } from '../limits/visitor';
import type { Logger } from '../logging/logger';
import type { PerchMetrics } from '../metrics/widget-metrics';
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
  /** The site's identity token; a long one is refused as `identity_invalid`, not as a bad request. */
  identity: z.optional(z.string().check(z.maxLength(16_384))),
});

export interface SessionRouteOptions {
  doc: DynamoDBDocumentClient;
  table: string;
  widgets: WidgetStore;
  sessions: SessionStore;
  loadKeys: () => Promise<SessionKeys>;
  counters: UsageCounters;
  verifyIdentity: IdentityVerifier;
  signedIn: SignedInSessions;
  now?: () => number;
  logger?: Pick<Logger, 'error'>;
  metrics?: PerchMetrics;
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
 * `POST /v1/sessions {key, resume?, identity?}`: verifies the identity token (when the widget has
 * identity settings), then resumes the session of a genuine earlier token, or else a signed-in
 * visitor's latest session, when it belongs to this widget, origin and visitor (`sub`, or none)
 * and its key version is live; otherwise starts a new session, which a rotated key may not do.
 */
export function createSessionRoute({
  doc,
  table,
  widgets,
  sessions,
  loadKeys,
  counters,
  verifyIdentity,
  signedIn,
  now = Date.now,
  logger,
  metrics,
}: SessionRouteOptions) {
  return createEdgeRoute(
    'sessions',
    widgetByBodyKey(startSessionBodySchema, { widgets, now }),
    async ({ widget, key, body }, request) => {
      const at = now();
      // First, so a widget that requires sign-in resumes nothing for an anonymous visitor.
      const identity = await verifyIdentity(widget, body.identity || undefined, at);
      const keys = await loadKeys();
      // Admitted, so the Origin is well-formed and allowed.
      const origin = request.headers.origin ?? '';
      const usable = (session: SessionRecord | undefined) =>
        session &&
        session.sub === identity?.sub &&
        ofWidget(session, widget) &&
        session.origin === origin &&
        keyVersionLive(widget, session.keyVersion, at)
          ? session
          : undefined;
      const resumed =
        usable(body.resume ? await resumedSession(body.resume, widget, keys, sessions, at) : undefined) ??
        // The same signed-in visitor on another device (or after clearing storage) continues there.
        (identity ? usable(await latestSession(signedIn, sessions, widget.widgetId, identity.sub, at)) : undefined);
      if (resumed) {
        // A page already on the current key carries its conversation over to that key version,
        // so a rotation's grace period does not end a visitor's chat on an updated page.
        const keyVersion = key.keyVersion === widget.keyVersion ? widget.keyVersion : resumed.keyVersion;
        return sessionResponse({ ...resumed, keyVersion }, keys, at);
      }
      if (key.keyVersion !== widget.keyVersion) throw new PerchError('key_rotated');
      // Only a new session counts: a resume above mints nothing.
      await admitSessionStart({
        doc,
        table,
        widgetId: widget.widgetId,
        limits: widget.limits,
        visitor: visitorHash(keys.visitorSalt, identity ?? { sourceIp: request.sourceIp }, utcDay(at)),
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
        ...(identity && { sub: identity.sub }),
        expiresAt: expirySeconds(at, widget.retentionDays),
        turns: {},
      };
      await sessions.create(session);
      if (identity) await signedIn.remember({ ...session, sub: identity.sub });
      metrics?.widget(widget.widgetId, { sessionStarts: 1 });
      return sessionResponse(session, keys, at);
    },
    { counters, now, logger },
  );
}

/**
 * The session a genuine earlier token names (even an expired token: it proves the browser owned
 * it), at the token's key version, which a resume on the current key carried over.
 */
async function resumedSession(
  token: string,
  widget: WidgetRecord,
  keys: SessionKeys,
  sessions: SessionStore,
  now: number,
): Promise<SessionRecord | undefined> {
  const check = verifySessionToken(token, keys.tokenKey, now);
  if (!check.ok || check.claims.wid !== widget.widgetId) return undefined;
  const session = await sessions.find(check.claims.sid, now);
  return session && { ...session, keyVersion: check.claims.kv };
}

async function latestSession(
  signedIn: SignedInSessions,
  sessions: SessionStore,
  widgetId: string,
  sub: string,
  now: number,
): Promise<SessionRecord | undefined> {
  const sessionId = await signedIn.latest(widgetId, sub);
  return sessionId ? sessions.find(sessionId, now) : undefined;
}
