import type * as z from 'zod/mini';
import { concerning } from '../errors/perch-error';
import { type AuthorizedSession, authorizeSession, authorizeSessionPreflight } from '../sessions/authorize-session';
import type { SessionStore } from '../sessions/session-record';
import type { SessionKeys } from '../sessions/signing-secret';
import { type AdmittedWidget, admitWidgetByKey } from '../widgets/admit-widget';
import type { WidgetStore } from '../widgets/widget-store';
import type { WidgetAdmission } from './edge';
import { parseJsonBody } from './json-body';

/** The three ways a route finds its widget; each checks the origin before anything else. */

/** The public key is in the path (`GET /v1/widgets/{key}`); a preflight is checked the same way. */
export function widgetByPathKey({
  widgets,
  now,
}: {
  widgets: WidgetStore;
  now: () => number;
}): WidgetAdmission<AdmittedWidget> {
  const admit = async (request: { pathParams: Record<string, string>; headers: Record<string, string> }) => {
    const publicKey = request.pathParams.key ?? '';
    const admitted = await admitWidgetByKey(widgets, {
      publicKey,
      origin: request.headers.origin,
      now: now(),
      purpose: 'appearance',
    });
    return { ...admitted, widgetId: admitted.widget.widgetId };
  };
  return { admit, preflight: async (request) => void (await admit(request)) };
}

/**
 * The public key is in the JSON body (`POST /v1/sessions`): the body is parsed first (its
 * refusals name no widget), and a preflight, which has no body, admits any well-formed origin.
 */
export function widgetByBodyKey<T extends z.ZodMiniType<{ key: string }>>(
  schema: T,
  { widgets, now }: { widgets: WidgetStore; now: () => number },
): WidgetAdmission<AdmittedWidget & { body: z.output<T> }> {
  return {
    preflight: async () => undefined,
    async admit(request) {
      const body = parseJsonBody(request.body, schema);
      const origin = request.headers.origin;
      const admitted = await admitWidgetByKey(widgets, {
        publicKey: body.key,
        origin,
        now: now(),
        purpose: 'appearance',
      });
      return { ...admitted, body, widgetId: admitted.widget.widgetId };
    },
  };
}

export interface SessionAdmissionOptions {
  sessions: SessionStore;
  findWidget: Parameters<typeof authorizeSessionPreflight>[1]['findWidget'];
  loadKeys: () => Promise<SessionKeys>;
  now: () => number;
}

/** The session in the path and its token (`/v1/sessions/{id}/...`); the body is parsed once it is authorized. */
export function widgetBySession<T extends z.ZodMiniType>(
  schema: T,
  { sessions, findWidget, loadKeys, now }: SessionAdmissionOptions,
): WidgetAdmission<AuthorizedSession & { body: z.output<T>; keys: SessionKeys; at: number }> {
  return {
    preflight: (request) =>
      authorizeSessionPreflight(
        { sessionId: request.pathParams.sessionId, origin: request.headers.origin },
        { sessions, findWidget, now: now() },
      ),
    async admit(request) {
      const at = now();
      const keys = await loadKeys();
      const auth = await authorizeSession(
        {
          sessionId: request.pathParams.sessionId,
          authorization: request.headers.authorization,
          origin: request.headers.origin,
        },
        { sessions, keys, now: at },
      );
      const widgetId = auth.widget.widgetId;
      try {
        return { ...auth, body: parseJsonBody(request.body, schema), keys, at, widgetId };
      } catch (error) {
        throw concerning(error, widgetId);
      }
    },
  };
}
