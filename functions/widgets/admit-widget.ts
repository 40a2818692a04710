import { PerchError } from '../errors/perch-error';
import { PUBLIC_KEY_PATTERN } from '../keys/public-key';
import { matchOrigin, readableOrigin } from '../origins/origin';
import type { KeyRecord, WidgetRecord } from '../records/table';
import type { WidgetStore } from './widget-store';

export interface AdmittedWidget {
  widget: WidgetRecord;
  key: KeyRecord;
  /** The request's Origin, to echo in Access-Control-Allow-Origin. */
  corsOrigin: string;
}

export interface AdmitByKeyOptions {
  publicKey: string;
  origin: string | undefined;
  now: number;
  /** Starting a session needs the current key; reading the appearance accepts a key in grace. */
  purpose: 'appearance' | 'new-session';
}

/**
 * Resolves a public key to an active widget that admits the request's origin. Order matters:
 * an unknown widget may be reported to any well-formed origin, but nothing about a known widget
 * (paused, rotated) is shown to an origin it does not admit.
 */
export async function admitWidgetByKey(
  store: WidgetStore,
  { publicKey, origin, now, purpose }: AdmitByKeyOptions,
): Promise<AdmittedWidget> {
  const key = PUBLIC_KEY_PATTERN.test(publicKey) && publicKey.length <= 64 ? await store.findKey(publicKey) : undefined;
  const widget = key ? await store.findWidget(key.widgetId) : undefined;
  if (!key || !widget) throw new PerchError('widget_not_found', { corsOrigin: readableOrigin(origin) });
  const corsOrigin = admitOrigin(widget, origin);
  if (widget.status !== 'active') throw new PerchError('widget_disabled', { corsOrigin });
  if (key.keyVersion !== widget.keyVersion) {
    const graceUntil = widget.keyGrace[String(key.keyVersion)];
    if (purpose === 'new-session' || graceUntil === undefined || graceUntil <= now) {
      throw new PerchError('key_rotated', { corsOrigin });
    }
  }
  return { widget, key, corsOrigin };
}

/** Checks the Origin against the widget's list; refusals carry no CORS grant. */
export function admitOrigin(widget: WidgetRecord, origin: string | undefined): string {
  const allowed = matchOrigin(origin, widget.allowedOrigins);
  if (allowed === null) throw new PerchError('widget_origin_denied');
  return allowed;
}
