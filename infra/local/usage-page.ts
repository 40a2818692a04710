import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BUDGET_WARNING_FRACTION, budgetLevel, readDailyBudgets } from '../../functions/usage/budget-alerts';
import { USAGE_RETENTION_DAYS } from '../../functions/usage/counter-record';
import type { UsageFigures } from '../../functions/usage/daily-usage';
import { type DayUsage, readUsageReport, type UsageReport, type WidgetUsage } from '../../functions/usage/report';
import { WIDGET_ID } from '../usage/args';
import { figureCells, formatCost, formatCount, formatRefusals } from '../usage/format-text';
import { CONVERSATIONS_PAGE_PATH, createOperatorPage, escapeHtml, USAGE_PAGE_PATH } from './operator-page';
import type { LocalPathHandler } from './server';

export interface UsagePageOptions {
  doc: DynamoDBDocumentClient;
  table: string;
  now?: () => number;
}

const usagePage = createOperatorPage();

/**
 * The operator view of usage on the local target, `GET /_perch/usage[?days=7&widget=id]`,
 * answered only to the operator's own browser (see `operatorRefusal`).
 */
export function createUsagePage({ doc, table, now = Date.now }: UsagePageOptions): LocalPathHandler {
  return async (req, res, url) => {
    if (url.pathname !== USAGE_PAGE_PATH) return false;
    if (usagePage.refuseNonOperator(req, res)) return true;
    const query = parseQuery(url.searchParams);
    if (typeof query === 'string') {
      usagePage.sendNotice(
        res,
        400,
        { title: 'Bad request', message: query, back: [USAGE_PAGE_PATH, 'usage'] },
        req.method,
      );
      return true;
    }
    const report = await readUsageReport({ doc, table, days: query.days, widgetId: query.widget, now });
    const budgets = await readDailyBudgets(
      doc,
      table,
      report.widgets.map((w) => w.widgetId),
    );
    usagePage.send(res, 200, renderReport(report, query, budgets), req.method);
    return true;
  };
}

function parseQuery(params: URLSearchParams): { days: number; widget?: string } | string {
  for (const name of params.keys())
    if (name !== 'days' && name !== 'widget') return `Unknown parameter "${name}"; use days and widget.`;
  const daysText = params.get('days') ?? '7';
  const days = /^\d{1,3}$/.test(daysText) ? Number(daysText) : NaN;
  if (!(days >= 1 && days <= USAGE_RETENTION_DAYS))
    return `days must be a whole number from 1 to ${USAGE_RETENTION_DAYS}.`;
  const widget = params.get('widget') ?? undefined;
  if (widget !== undefined && !WIDGET_ID.test(widget)) return 'widget must be a widget id such as docs-bot.';
  return { days, widget };
}

function renderReport(
  report: UsageReport,
  { days, widget }: { days: number; widget?: string },
  budgets: ReadonlyMap<string, number>,
): string {
  const link = (d: number, w = widget, path = USAGE_PAGE_PATH) =>
    `${path}?days=${d}${w ? `&amp;widget=${encodeURIComponent(w)}` : ''}`;
  const dayLinks = [7, 30, 90]
    .map((d) => (d === days ? `<strong>${d} days</strong>` : `<a href="${link(d)}">${d} days</a>`))
    .join(' ');
  // The conversations of the same days and widget (usage keeps fewer days than the listing allows).
  const nav =
    `<nav>${dayLinks}${widget ? ` <a href="${link(days, '')}">all widgets</a>` : ''}` +
    ` <a href="${link(days, widget, CONVERSATIONS_PAGE_PATH)}">conversations</a></nav>`;
  const meta =
    `<p class="meta">${report.days[0]} → ${report.days.at(-1)} UTC, today still counting. ` +
    `Generated ${escapeHtml(report.generatedAt)}.</p>`;
  if (report.widgets.length === 0)
    return usagePage.render(
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
  const alerts = alertsToday(report, budgets);
  return usagePage.render('Perch usage', `<h1>Perch usage</h1>${meta}${nav}${alerts}${overview}${detail}`);
}

/** Today's budget alerts, the conditions the AWS stack alarms on (80 % of `dailyBudgetUsd`, cap reached). */
function alertsToday(report: UsageReport, budgets: ReadonlyMap<string, number>): string {
  const items = report.widgets.flatMap((w) => {
    const budget = budgets.get(w.widgetId);
    const cost = w.days.at(-1)?.costUsd ?? 0;
    const level = budgetLevel(cost, budget);
    if (level === undefined || budget === undefined) return [];
    const percent = Math.floor((cost / budget) * 100);
    const share = `${formatCost(cost)} of its ${formatCost(budget)} daily budget (${percent} %)`;
    const what =
      level === 'cap_reached'
        ? `<strong>daily budget reached</strong>: ${share}; ` +
          'new messages are refused with budget_exhausted until 00:00 UTC'
        : `<strong>${Math.round(BUDGET_WARNING_FRACTION * 100)} % of the daily budget</strong>: ${share}`;
    return [`<li>${escapeHtml(w.widgetId)}: ${what}</li>`];
  });
  const withBudget = report.widgets.filter((w) => budgets.has(w.widgetId)).length;
  const none = withBudget === 0 ? 'No widget has a dailyBudgetUsd.' : 'No budget alerts today.';
  return `<h2>Alerts today</h2>${items.length > 0 ? `<ul>${items.join('')}</ul>` : `<p>${none}</p>`}`;
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
