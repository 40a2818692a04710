import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { errorBody } from '../../functions/errors/perch-error';
import { USAGE_RETENTION_DAYS } from '../../functions/usage/counter-record';
import type { UsageFigures } from '../../functions/usage/daily-usage';
import { type DayUsage, readUsageReport, type UsageReport, type WidgetUsage } from '../../functions/usage/report';
import { figureCells, formatCount, formatRefusals } from '../usage/format-text';
import type { LocalPathHandler } from './server';

export const USAGE_PAGE_PATH = '/_perch/usage';

export interface UsagePageOptions {
  doc: DynamoDBDocumentClient;
  table: string;
  now?: () => number;
}

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#111;background:#fff}
h1{font-size:1.3rem;margin:0 0 .2rem}h2{font-size:1.1rem;margin:2rem 0 .5rem}p.meta{color:#555;margin:0 0 1rem}
nav a{margin-right:.8rem}table{border-collapse:collapse;margin:.5rem 0}
th,td{padding:.3rem .7rem;border-bottom:1px solid #e5e7eb;text-align:right;white-space:nowrap}
th:first-child,td:first-child,.text{text-align:left}td.text{white-space:normal;color:#555}
tfoot td{font-weight:600;border-top:2px solid #111}svg{display:block}.status{color:#888;font-size:.85em}`;
const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

const HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Content-Security-Policy':
    `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; form-action 'none'; ` +
    "frame-ancestors 'none'; base-uri 'none'",
};

/**
 * The operator view of usage on the local target, `GET /_perch/usage[?days=7&widget=id]`. Not
 * a public API route (it is not in ROUTES and never carries a CORS grant) and answered only to
 * the operator's own browser: a loopback peer, a loopback Host (no DNS rebinding), and no
 * sign of another site — any `Origin` header, or `Sec-Fetch-Site` other than none/same-origin.
 */
export function createUsagePage({ doc, table, now = Date.now }: UsagePageOptions): LocalPathHandler {
  return async (req, res, url) => {
    if (url.pathname !== USAGE_PAGE_PATH) return false;
    const refusal = operatorRefusal(req);
    if (refusal) {
      res.writeHead(refusal.status, {
        ...HEADERS,
        'Content-Type': 'application/json; charset=utf-8',
        ...refusal.headers,
      });
      res.end(errorBody(refusal.code, refusal.message));
      return true;
    }
    const query = parseQuery(url.searchParams);
    if (typeof query === 'string') {
      send(
        res,
        400,
        page('Bad request', `<p>${escapeHtml(query)}</p><p><a href="${USAGE_PAGE_PATH}">Back to usage</a></p>`),
        req.method,
      );
      return true;
    }
    const report = await readUsageReport({ doc, table, days: query.days, widgetId: query.widget, now });
    send(res, 200, renderReport(report, query), req.method);
    return true;
  };
}

interface Refusal {
  status: number;
  code: 'not_found' | 'widget_origin_denied' | 'method_not_allowed';
  message: string;
  headers?: Record<string, string>;
}

/** Why a request may not see the operator page, or undefined when it may. */
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

function parseQuery(params: URLSearchParams): { days: number; widget?: string } | string {
  for (const name of params.keys())
    if (name !== 'days' && name !== 'widget') return `Unknown parameter "${name}"; use days and widget.`;
  const daysText = params.get('days') ?? '7';
  const days = /^\d{1,3}$/.test(daysText) ? Number(daysText) : NaN;
  if (!(days >= 1 && days <= USAGE_RETENTION_DAYS))
    return `days must be a whole number from 1 to ${USAGE_RETENTION_DAYS}.`;
  const widget = params.get('widget') ?? undefined;
  if (widget !== undefined && !/^[a-z0-9-]{1,64}$/.test(widget)) return 'widget must be a widget id such as docs-bot.';
  return { days, widget };
}

function send(res: ServerResponse, status: number, html: string, method: string | undefined): void {
  res.writeHead(status, {
    ...HEADERS,
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(html),
  });
  res.end(method === 'HEAD' ? undefined : html);
}

function renderReport(report: UsageReport, { days, widget }: { days: number; widget?: string }): string {
  const link = (d: number, w = widget) =>
    `${USAGE_PAGE_PATH}?days=${d}${w ? `&amp;widget=${encodeURIComponent(w)}` : ''}`;
  const dayLinks = [7, 30, 90]
    .map((d) => (d === days ? `<strong>${d} days</strong>` : `<a href="${link(d)}">${d} days</a>`))
    .join(' ');
  const nav = `<nav>${dayLinks}${widget ? ` <a href="${link(days, '')}">all widgets</a>` : ''}</nav>`;
  const meta =
    `<p class="meta">${report.days[0]} → ${report.days.at(-1)} UTC, today still counting. ` +
    `Generated ${escapeHtml(report.generatedAt)}.</p>`;
  if (report.widgets.length === 0)
    return page(
      'Perch usage',
      `<h1>Perch usage</h1>${meta}${nav}<p>No ${widget ? `widget “${escapeHtml(widget)}”` : 'widgets'}.</p>`,
    );

  const totalsByDay = report.days.map((_day, i) => report.widgets.reduce((n, w) => n + w.days[i]!.messages, 0));
  const rows = report.widgets
    .map((w) => {
      const status = w.status === 'active' ? '' : ` <span class="status">${w.status}</span>`;
      const refusals = escapeHtml(formatRefusals(w.totals.refusals));
      const chart = barChart(
        report.days,
        w.days.map((d) => d.messages),
        { width: 140, height: 28 },
      );
      return (
        `<tr><td><a href="${link(days, w.widgetId)}">${escapeHtml(w.widgetId)}</a>${status}</td>` +
        `${figureCellsHtml(w.totals)}<td class="text">${refusals}</td><td>${chart}</td></tr>`
      );
    })
    .join('\n');
  const footer =
    report.widgets.length > 1
      ? `<tfoot><tr><td>total</td>${figureCellsHtml(report.totals)}` +
        `<td class="text">${escapeHtml(formatRefusals(report.totals.refusals))}</td><td></td></tr></tfoot>`
      : '';
  const chart = barChart(report.days, totalsByDay, { width: 720, height: 160, labels: true });
  const overview =
    `<h2>Messages per day${report.widgets.length > 1 ? ', all widgets' : ''}</h2>${chart}\n` +
    '<table><thead><tr><th>widget</th><th>sessions</th><th>messages</th><th>tokens in</th><th>tokens out</th>' +
    '<th>est. cost</th><th class="text">refusals</th><th>messages/day</th></tr></thead>\n' +
    `<tbody>${rows}</tbody>${footer}</table>`;
  const detail = report.widgets.length === 1 ? dayTable(report.widgets[0]!) : '';
  return page('Perch usage', `<h1>Perch usage</h1>${meta}${nav}${overview}${detail}`);
}

function dayTable(widget: WidgetUsage): string {
  const rows = widget.days
    .map(
      (d: DayUsage) =>
        `<tr><td>${d.day}</td>${figureCellsHtml(d)}<td class="text">${escapeHtml(formatRefusals(d.refusals))}</td>` +
        `<td class="text">${d.source === 'none' ? '' : d.source}</td></tr>`,
    )
    .join('\n');
  return (
    `<h2>${escapeHtml(widget.widgetId)}${widget.name ? ` — ${escapeHtml(widget.name)}` : ''}, per day</h2>\n` +
    '<table><thead><tr><th>day</th><th>sessions</th><th>messages</th><th>tokens in</th><th>tokens out</th>' +
    '<th>est. cost</th><th class="text">refusals</th><th class="text">from</th></tr></thead>' +
    `<tbody>${rows}</tbody></table>`
  );
}

function figureCellsHtml(f: UsageFigures): string {
  return figureCells(f)
    .map((cell) => `<td>${cell}</td>`)
    .join('');
}

/** An inline SVG bar chart (no script, no external resource); each bar's tooltip names its day. */
function barChart(
  days: string[],
  values: number[],
  { width, height, labels = false }: { width: number; height: number; labels?: boolean },
): string {
  const max = Math.max(1, ...values);
  const labelSpace = labels ? 18 : 0;
  const slot = width / days.length;
  const barWidth = Math.max(1, slot * 0.8);
  const plot = height - labelSpace;
  const bars = values
    .map((v, i) => {
      const h = v > 0 ? Math.max(1, (v / max) * (plot - 2)) : 0;
      const x = (i * slot + (slot - barWidth) / 2).toFixed(1);
      return (
        `<rect x="${x}" y="${(plot - h).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${h.toFixed(1)}" ` +
        `fill="#2563eb"><title>${days[i]}: ${formatCount(v)} messages</title></rect>`
      );
    })
    .join('');
  const every = Math.ceil(days.length / 10);
  const text = labels
    ? days
        .map((d, i) =>
          i % every === 0
            ? `<text x="${(i * slot + slot / 2).toFixed(1)}" y="${height - 4}" ` +
              `font-size="11" text-anchor="middle" fill="#555">${d.slice(5)}</text>`
            : '',
        )
        .join('')
    : '';
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" role="img" aria-label="messages per day">` +
    `<line x1="0" y1="${plot}" x2="${width}" y2="${plot}" stroke="#d1d5db"/>${bars}${text}</svg>`
  );
}

function page(title: string, body: string): string {
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer">' +
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`
  );
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
