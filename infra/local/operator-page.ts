import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorBody } from '../../functions/errors/perch-error';

// The operator pages' paths live here so that each page links to the others without importing them.
export const USAGE_PAGE_PATH = '/_perch/usage';
export const CONVERSATIONS_PAGE_PATH = '/_perch/conversations';

/** What every operator page looks like; a page adds its own rules after it. */
const BASE_STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#111;background:#fff}
h1{font-size:1.3rem;margin:0 0 .2rem}h2{font-size:1.1rem;margin:2rem 0 .5rem}p.meta{color:#555;margin:0 0 1rem}
nav a{margin-right:.8rem}table{border-collapse:collapse;margin:.5rem 0}
th,td{padding:.3rem .7rem;border-bottom:1px solid #e5e7eb;text-align:right;white-space:nowrap}
th:first-child,td:first-child,.text{text-align:left}td.text{white-space:normal;color:#555}
tfoot td{font-weight:600;border-top:2px solid #111}svg{display:block}.status{color:#888;font-size:.85em}`;

export interface OperatorPageOptions {
  /** CSS appended to the shared style; the CSP allows exactly the resulting stylesheet. */
  extraStyle?: string;
  /** Lets the page's own GET forms submit (`form-action 'self'`); otherwise no form may submit. */
  formsToSelf?: boolean;
}

export interface OperatorPage {
  /** Answers a request that may not see operator pages (see `operatorRefusal`); true when it did. */
  refuseNonOperator(req: IncomingMessage, res: ServerResponse): boolean;
  /** A whole HTML document; `body` must already be escaped. */
  render(title: string, body: string): string;
  /** Sends `html` with the page's security headers (no body for HEAD). */
  send(res: ServerResponse, status: number, html: string, method: string | undefined): void;
  /** A page saying why there is nothing to show (bad request, not found), with a way back. */
  sendNotice(res: ServerResponse, status: number, notice: Notice, method: string | undefined): void;
}

export interface Notice {
  title: string;
  /** Plain text; escaped here. */
  message: string;
  /** The page to go back to (a path, query and all), and its name in "Back to …". */
  back: [href: string, name: string];
}

/**
 * What the local operator pages (`/_perch/...`) share: the guards, strict headers — a CSP that
 * allows only the page's own stylesheet by hash, no script, no framing, no caching — and the
 * document around the body. Built once per page, not per request.
 */
export function createOperatorPage({ extraStyle = '', formsToSelf = false }: OperatorPageOptions = {}): OperatorPage {
  const style = BASE_STYLE + extraStyle;
  const styleHash = createHash('sha256').update(style).digest('base64');
  const headers = {
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Content-Security-Policy':
      `default-src 'none'; style-src 'sha256-${styleHash}'; form-action ${formsToSelf ? "'self'" : "'none'"}; ` +
      "frame-ancestors 'none'; base-uri 'none'",
  };
  const render = (title: string, body: string) =>
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<meta name="referrer" content="no-referrer">' +
    `<title>${escapeHtml(title)}</title><style>${style}</style></head><body>${body}</body></html>`;
  const send = (res: ServerResponse, status: number, html: string, method: string | undefined) => {
    res.writeHead(status, {
      ...headers,
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Length': Buffer.byteLength(html),
    });
    res.end(method === 'HEAD' ? undefined : html);
  };
  return {
    render,
    send,
    sendNotice(res, status, { title, message, back: [href, name] }, method) {
      const body = `<p>${escapeHtml(message)}</p><p><a href="${escapeHtml(href)}">Back to ${escapeHtml(name)}</a></p>`;
      send(res, status, render(title, body), method);
    },
    refuseNonOperator(req, res) {
      const refusal = operatorRefusal(req);
      if (!refusal) return false;
      res.writeHead(refusal.status, {
        ...headers,
        'Content-Type': 'application/json; charset=utf-8',
        ...refusal.headers,
      });
      res.end(errorBody(refusal.code, refusal.message));
      return true;
    },
  };
}

interface Refusal {
  status: number;
  code: 'not_found' | 'widget_origin_denied' | 'method_not_allowed';
  message: string;
  headers?: Record<string, string>;
}

/**
 * Why a request may not see an operator page, or undefined when it may. The pages are not public
 * API routes (not in ROUTES, never a CORS grant) and answer only the operator's own browser: a
 * loopback peer, a loopback Host (no DNS rebinding), and no sign of another site — any `Origin`
 * header, or `Sec-Fetch-Site` other than none/same-origin.
 */
export function operatorRefusal(req: IncomingMessage): Refusal | undefined {
  // A peer on the network gets what any unknown path gets: nothing says the page exists.
  if (!isLoopbackAddress(req.socket.remoteAddress))
    return { status: 404, code: 'not_found', message: 'No such route.' };
  if (!isLoopbackHost(req.headers.host)) {
    return {
      status: 403,
      code: 'widget_origin_denied',
      message: 'The operator page answers only to http://localhost, 127.0.0.1 or [::1].',
    };
  }
  const site = req.headers['sec-fetch-site'];
  if (req.headers.origin !== undefined || (site !== undefined && site !== 'none' && site !== 'same-origin')) {
    return {
      status: 403,
      code: 'widget_origin_denied',
      message: 'The operator page is not available to other websites; open it directly in the browser.',
    };
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return {
      status: 405,
      code: 'method_not_allowed',
      message: 'Method not allowed on this route.',
      headers: { Allow: 'GET, HEAD' },
    };
  }
  return undefined;
}

function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.replace(/^::ffff:/i, '');
  return address === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

function isLoopbackHost(host: string | undefined): boolean {
  return host !== undefined && /^(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/i.test(host);
}

/** Text as HTML text or attribute value: every character that could end either is a numeric reference. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
