import { widgetByPathKey } from '../http/admission';
import { createEdgeRoute } from '../http/edge';
import type { ApiRequest } from '../http/request';
import { type ApiResponse, jsonResponse } from '../http/response';
import type { Logger } from '../logging/logger';
import type { WidgetRecord } from '../records/table';
import { type Locale, type Texts, variesByLanguage, visitorLanguage, type WidgetLanguage } from '../texts/language';
import { findWidgetByKey } from './admit-widget';
import { refusalScript, SCRIPT_SUFFIX, scriptResponse } from './refusal-script';
import { type ThemeContrast, themeContrast } from './theme-contrast';
import type { WidgetStore } from './widget-store';

/** The public face of a widget: everything the loader draws, nothing the server keeps. */
export interface WidgetAppearance {
  name: string;
  greeting: string;
  placeholder: string;
  /** The contrast colours come with the theme colour, so the loader does no colour maths. */
  theme: { primary: string; position: 'bottom-right' | 'bottom-left' } & ThemeContrast;
  quickActions: string[];
  feedback: boolean;
  /** The language the visitor reads: its code, its direction and every string the panel shows. */
  locale: Locale;
  dir: 'ltr' | 'rtl';
  texts: Texts;
}

/** The appearance in the widget's language; `auto` takes the visitor's `Accept-Language`. */
export function toAppearance(widget: WidgetRecord, acceptLanguage?: string): WidgetAppearance {
  const { locale, dir, texts, greeting, placeholder } = visitorLanguage(widget, acceptLanguage);
  return {
    name: widget.name,
    greeting: widget.greeting ?? greeting,
    placeholder: widget.placeholder ?? placeholder,
    theme: { primary: widget.theme.primary, position: widget.theme.position, ...themeContrast(widget.theme.primary) },
    quickActions: widget.quickActions,
    feedback: widget.feedback,
    locale,
    dir,
    texts,
  };
}

/** Every visitor's browser may cache an appearance a minute; one in `auto` differs by its language. */
const cacheHeaders = (widget: WidgetLanguage | undefined): Record<string, string> => ({
  'Cache-Control': 'public, max-age=60',
  ...(variesByLanguage(widget) && { Vary: 'Accept-Language' }),
});

export interface AppearanceRouteOptions {
  store: WidgetStore;
  now?: () => number;
  logger?: Pick<Logger, 'error'>;
}

/**
 * `GET /v1/widgets/{key}` (and its preflight, answered by the edge), and `GET /v1/widgets/{key}.js`:
 * the origin refusal's text as a classic script ({@link refusalScript}).
 */
export function createAppearanceRoute({ store, now = Date.now, logger }: AppearanceRouteOptions) {
  const appearance = createEdgeRoute(
    'widget-config',
    widgetByPathKey({ widgets: store, now }),
    async ({ widget }, request) =>
      jsonResponse(200, toAppearance(widget, request.headers['accept-language']), cacheHeaders(widget)),
    { logger },
  );
  return async (request: ApiRequest): Promise<ApiResponse> => {
    const key = request.pathParams.key ?? '';
    if (request.method !== 'GET' || !key.endsWith(SCRIPT_SUFFIX)) return appearance(request);
    const widget = await findWidgetByKey(store, key.slice(0, -SCRIPT_SUFFIX.length));
    return scriptResponse(refusalScript(widget, request.headers['accept-language']), cacheHeaders(widget));
  };
}
