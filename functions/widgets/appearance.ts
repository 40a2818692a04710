import { PerchError } from '../errors/perch-error';
import type { ApiRequest } from '../http/request';
import { jsonResponse, preflightResponse, type ApiResponse } from '../http/response';
import type { WidgetRecord } from '../records/table';
import { admitWidgetByKey } from './admit-widget';
import type { WidgetStore } from './widget-store';

/** The public face of a widget: everything the loader draws, nothing the server keeps. */
export interface WidgetAppearance {
  name: string;
  greeting: string;
  placeholder: string;
  theme: { primary: string; position: 'bottom-right' | 'bottom-left' };
  quickActions: string[];
  feedback: boolean;
}

export function toAppearance(widget: WidgetRecord): WidgetAppearance {
  return {
    name: widget.name,
    greeting: widget.greeting,
    placeholder: widget.placeholder,
    theme: { primary: widget.theme.primary, position: widget.theme.position },
    quickActions: widget.quickActions,
    feedback: widget.feedback,
  };
}

export interface AppearanceRouteOptions {
  store: WidgetStore;
  now?: () => number;
}

/** `GET /v1/widgets/{key}` and its preflight. */
export function createAppearanceRoute({ store, now = Date.now }: AppearanceRouteOptions) {
  return async (request: ApiRequest): Promise<ApiResponse> => {
    if (request.method !== 'GET' && request.method !== 'OPTIONS') {
      throw new PerchError('method_not_allowed', { headers: { Allow: 'GET, OPTIONS' } });
    }
    const { widget, corsOrigin } = await admitWidgetByKey(store, {
      publicKey: request.pathParams.key ?? '',
      origin: request.headers.origin,
      now: now(),
      purpose: 'appearance',
    });
    if (request.method === 'OPTIONS') return preflightResponse(corsOrigin, 'GET, OPTIONS');
    return jsonResponse(200, toAppearance(widget), corsOrigin, { 'Cache-Control': 'public, max-age=60' });
  };
}
