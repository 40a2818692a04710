import { PerchError } from '../errors/perch-error';
import type { WidgetRecord } from '../records/table';
import { admitOrigin } from '../widgets/admit-widget';
import { ofWidget, type SessionRecord, type SessionStore } from './session-record';
import { bearerToken, type TokenClaims, tokenClaimsSchema, verifySessionToken } from './session-token';
import type { SessionKeys } from './signing-secret';

export interface AuthorizedSession {
  widget: WidgetRecord;
  session: SessionRecord;
  claims: TokenClaims;
}

/** True while sessions created with key version `keyVersion` may still be used. */
export function keyVersionLive(widget: WidgetRecord, keyVersion: number, now: number): boolean {
  if (keyVersion === widget.keyVersion) return true;
  const graceUntil = widget.keyGrace[String(keyVersion)];
  return graceUntil !== undefined && graceUntil > now;
}

export interface AuthorizeSessionOptions {
  sessions: SessionStore;
  keys: SessionKeys;
  now: number;
}

/**
 * Re-checks everything on every session request: a genuine, unexpired token for this session
 * id; the widget still exists, is active and admits the origin; the token's origin is the
 * request's; its key version is current or in grace; the session exists for that widget.
 */
export async function authorizeSession(
  { sessionId, authorization, origin }: { sessionId: string | undefined; authorization?: string; origin?: string },
  { sessions, keys, now }: AuthorizeSessionOptions,
): Promise<AuthorizedSession> {
  const token = bearerToken(authorization);
  const check = token ? verifySessionToken(token, keys.tokenKey, now) : { ok: false as const };
  if (!check.ok || check.claims.sid !== sessionId) throw new PerchError('session_invalid');
  const { claims } = check;
  const { session, widget } = await sessions.findWithWidget(claims.sid, claims.wid, now);
  if (!widget) throw new PerchError('widget_not_found');
  admitOrigin(widget, origin);
  const widgetId = widget.widgetId;
  if (claims.org !== origin) throw new PerchError('session_invalid', { widgetId });
  if (widget.status !== 'active') throw new PerchError('widget_disabled', { widgetId });
  if (!keyVersionLive(widget, claims.kv, now)) throw new PerchError('key_rotated', { widgetId });
  if (check.expired) throw new PerchError('session_expired', { widgetId });
  if (!session || !ofWidget(session, widget)) throw new PerchError('session_invalid', { widgetId });
  return { widget, session, claims };
}

/**
 * A preflight for `/v1/sessions/{id}/...` (browsers send no token with it): refused when the
 * session's widget does not admit the origin, granted otherwise (an unknown session reveals
 * nothing; the request itself is checked in full).
 */
export async function authorizeSessionPreflight(
  { sessionId = '', origin }: { sessionId: string | undefined; origin?: string },
  {
    sessions,
    findWidget,
    now,
  }: { sessions: SessionStore; findWidget: (id: string) => Promise<WidgetRecord | undefined>; now: number },
): Promise<void> {
  // Only a genuine id is looked up: the path is the client's, and an over-long key is a
  // database error (a 500), not an unknown session.
  const session = tokenClaimsSchema.shape.sid.safeParse(sessionId).success
    ? await sessions.find(sessionId, now)
    : undefined;
  const widget = session && (await findWidget(session.widgetId));
  if (widget) admitOrigin(widget, origin);
}
