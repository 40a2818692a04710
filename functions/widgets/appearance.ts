import { widgetByPathKey } from '../http/admission';
import { createEdgeRoute } from '../http/edge';
import { jsonResponse } from '../http/response';
import type { Logger } from '../logging/logger';
import type { WidgetRecord } from '../records/table';
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
}

export function toAppearance(widget: WidgetRecord): WidgetAppearance {
  return {
    name: widget.name,
    greeting: widget.greeting,
    placeholder: widget.placeholder,
    theme: { primary: widget.theme.primary, position: widget.theme.position, ...themeContrast(widget.theme.primary) },
    quickActions: widget.quickActions,
    feedback: widget.feedback,
  };
}

export interface AppearanceRouteOptions {
  store: WidgetStore;
  now?: () => number;
  logger?: Pick<Logger, 'error'>;
}

/** `GET /v1/widgets/{key}` (and its preflight, answered by the edge). */
export function createAppearanceRoute({ store, now = Date.now, logger }: AppearanceRouteOptions) {
  return createEdgeRoute(
    'widget-config',
    widgetByPathKey({ widgets: store, now }),
    async ({ widget }) => jsonResponse(200, toAppearance(widget), { 'Cache-Control': 'public, max-age=60' }),
    { logger },
  );
}
