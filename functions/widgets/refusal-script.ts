import { REFUSAL_EVENT } from '../../loader/src/contract';
import type { ApiResponse } from '../http/response';
import { visitorLanguage, type WidgetLanguage } from '../texts/language';

/** `GET /v1/widgets/<key>.js`: the key's appearance path with this suffix is the refusal script. */
export const SCRIPT_SUFFIX = '.js';

/**
 * The text a page reads when the widget refuses its origin, as a classic script that dispatches
 * {@link REFUSAL_EVENT} on its own `<script>` element with the text as `detail`. The refusal
 * itself carries no CORS grant, so the loader cannot read its body; a script needs none. A
 * script request carries no `Origin`, so this decides nothing: it only tells the widget's
 * language (an unknown key: the visitor's), which is public, as the appearance is to any allowed page.
 */
export function refusalScript(widget: WidgetLanguage | undefined, acceptLanguage: string | undefined): string {
  const text = JSON.stringify(visitorLanguage(widget, acceptLanguage).texts.originDenied);
  // The texts are the operator's (config overrides): as a JS string literal they can only be data.
  const literal = text.replace(/[<\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const event = JSON.stringify(REFUSAL_EVENT);
  return `document.currentScript.dispatchEvent(new CustomEvent(${event},{detail:${literal}}));\n`;
}

/** A script's answer: never sniffed as anything else. */
export function scriptResponse(body: string, headers: Record<string, string>): ApiResponse {
  return {
    status: 200,
    headers: { 'Content-Type': 'text/javascript; charset=utf-8', 'X-Content-Type-Options': 'nosniff', ...headers },
    body,
  };
}
