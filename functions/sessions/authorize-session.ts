import { PerchError } from '../errors/perch-error';
import type { ApiRequest } from '../http/request';
import { readableOrigin } from '../origins/origin';
import type { WidgetRecord } from '../records/table';
import { admitOrigin } from '../widgets/admit-widget';
import { ofWidget, type SessionRecord, type SessionStore } from './session-record';
import { bearerToken, tokenClaimsSchema, verifySessionToken, type TokenClaims } from './session-token';
import type { SessionKeys } from './signing-secret';

export interface AuthorizedSession {
  widget: WidgetRecord;
  session: SessionRecord;
  claims: TokenClaims;
  corsOrigin: string;
}

/** True while sessions created with key version `keyVersion` may still be used. */
export function keyVersionLive(widget: WidgetRecord, keyVersion: number, now: number): boolean {
  if (keyVersion === widget.keyVersion) return true;
  const graceUntil = widget.keyGrace[String(keyVersion)];
  return graceUntil !== undefined && graceUntil > now;
}

/**
 * Re-checks everything on every session request: a genuine, unexpired token for this session
 * id; the widget still exists, is active and admits the origin; the token's origin is the
 * request's; its key version is current or in grace; the session exists for that widget.
 */
export async function authorizeSession(
  request: ApiRequest,
  { sessions, keys, now }: { sessions: SessionStore; keys: SessionKeys; now: number },
): Promise<AuthorizedSession> {
  const origin = request.headers.origin;
  const anyOrigin = readableOrigin(origin);
  const token = bearerToken(request.headers.authorization);
  const check = token ? verifySessionToken(token, keys.tokenKey, now) : { ok: false as const };
  if (!check.ok || check.claims.sid !== request.pathParams.sessionId) {
    throw new PerchError('session_invalid', { corsOrigin: anyOrigin });
  }
  const { claims } = check;
  const { session, widget } = await sessions.findWithWidget(claims.sid, claims.wid, now);
  if (!widget) throw new PerchError('widget_not_found', { corsOrigin: anyOrigin });
  const corsOrigin = admitOrigin(widget, origin);
  if (claims.org !== origin) throw new PerchError('session_invalid', { corsOrigin });
  if (widget.status !== 'active') throw new PerchError('widget_disabled', { corsOrigin });
  if (!keyVersionLive(widget, claims.kv, now)) throw new PerchError('key_rotated', { corsOrigin });
  if (check.expired) throw new PerchError('session_expired', { corsOrigin });
  if (!session || !ofWidget(session, widget)) throw new PerchError('session_invalid', { corsOrigin });
  return { widget, session, claims, corsOrigin };
}

/**
 * Answers a preflight for `/v1/sessions/{id}/...` (browsers send no token with it): refused
 * when the session's widget does not admit the origin, granted otherwise.
 */
export async function authorizeSessionPreflight(
  request: ApiRequest,
  { sessions, findWidget, now }: { sessions: SessionStore; findWidget: (id: string) => Promise<WidgetRecord | undefined>; now: number },
): Promise<string> {
  const anyOrigin = readableOrigin(request.headers.origin);
  if (!anyOrigin) throw new PerchError('widget_origin_denied');
  // Only a genuine id is looked up: the path is the client's, and an over-long key is a
  // database error (a 500), not an unknown session.
  const sessionId = request.pathParams.sessionId ?? '';
  const session = tokenClaimsSchema.shape.sid.safeParse(sessionId).success ? await sessions.find(sessionId, now) : undefined;
  const widget = session && (await findWidget(session.widgetId));
  return widget ? admitOrigin(widget, request.headers.origin) : anyOrigin;
}
