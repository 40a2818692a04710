import { PerchError } from '../errors/perch-error';
import { PUBLIC_KEY_PATTERN } from '../keys/public-key';
import { matchOrigin } from '../origins/origin';
import type { KeyRecord, WidgetRecord } from '../records/table';
import type { WidgetStore } from './widget-store';

export interface AdmittedWidget {
  widget: WidgetRecord;
  key: KeyRecord;
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
 * the origin is checked first, so nothing about a known widget (paused, rotated) is told to an
 * origin it does not admit; every refusal after that names the widget, to be counted on it, and
 * carries its language.
 */
export async function admitWidgetByKey(
  store: WidgetStore,
  { publicKey, origin, now, purpose }: AdmitByKeyOptions,
): Promise<AdmittedWidget> {
  const found = await findWidget(store, publicKey);
  if (!found) throw new PerchError('widget_not_found');
  const { key, widget } = found;
  admitOrigin(widget, origin);
  const refusing = { widgetId: widget.widgetId, language: widget };
  if (widget.status !== 'active') throw new PerchError('widget_disabled', refusing);
  if (key.keyVersion !== widget.keyVersion) {
    const graceUntil = widget.keyGrace[String(key.keyVersion)];
    if (purpose === 'new-session' || graceUntil === undefined || graceUntil <= now) {
      throw new PerchError('key_rotated', refusing);
    }
  }
  return { widget, key };
}

/** The widget a public key names, and its key record; none for a malformed or unknown key. */
async function findWidget(store: WidgetStore, publicKey: string): Promise<AdmittedWidget | undefined> {
  const key = PUBLIC_KEY_PATTERN.test(publicKey) && publicKey.length <= 64 ? await store.findKey(publicKey) : undefined;
  const widget = key && (await store.findWidget(key.widgetId));
  return widget ? { key: key, widget } : undefined;
}

/** The widget a public key names, whatever its status or origins; none for a malformed or unknown key. */
export const findWidgetByKey = async (store: WidgetStore, publicKey: string): Promise<WidgetRecord | undefined> =>
  (await findWidget(store, publicKey))?.widget;

/** Checks the Origin against the widget's list; the refusal names the widget and speaks its language. */
export function admitOrigin(widget: WidgetRecord, origin: string | undefined): void {
  if (matchOrigin(origin, widget.allowedOrigins) === null) {
    throw new PerchError('widget_origin_denied', { widgetId: widget.widgetId, language: widget });
  }
}
