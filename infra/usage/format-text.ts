import type { UsageFigures } from '../../functions/usage/daily-usage';
import type { UsageReport, WidgetUsage } from '../../functions/usage/report';

const SPARK = '▁▂▃▄▅▆▇█';
const BAR_WIDTH = 30;

/** `1234567` → `1,234,567`, independent of the machine's locale. */
export const formatCount = (n: number) =>
  Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** Estimated cost in USD: four decimals below a dollar (token prices are tiny), cents above. */
export function formatCost(usd: number): string {
  if (usd < 1) return `$${usd.toFixed(4)}`;
  const [whole, cents] = usd.toFixed(2).split('.');
  return `$${formatCount(Number(whole))}.${cents}`;
}

/** `▁▃█·` — one character per day, scaled to the largest day; `·` marks a day with none. */
export function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values);
  return values
    .map((v) => (v <= 0 ? '·' : SPARK[Math.min(SPARK.length, Math.max(1, Math.ceil((v / max) * SPARK.length))) - 1]))
    .join('');
}

/** `widget_rate_limit 3, budget_exhausted 1`, most frequent first; `—` when none. */
export function formatRefusals(refusals: Record<string, number>): string {
  const entries = Object.entries(refusals).filter(([, n]) => n > 0);
  if (entries.length === 0) return '—';
  return entries
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
    .map(([code, n]) => `${printable(code)} ${formatCount(n)}`)
    .join(', ');
}

/**
 * The report as a terminal table: one row per widget with a sparkline of messages per day,
 * then totals; with a single widget, also one row per day with a bar.
 */
export function formatUsageReport(report: UsageReport, { source }: { source: string }): string {
  const { days } = report;
  const lines = [
    `Perch usage, ${days[0]} → ${days.at(-1)} UTC ` +
      `(${days.length} day${days.length === 1 ? '' : 's'}; today still counting) — ${source}`,
    '',
  ];
  if (report.widgets.length === 0) return [...lines, 'No widgets.'].join('\n');

  const header = ['widget', 'sessions', 'messages', 'tokens in', 'tokens out', 'est. cost', 'messages/day', 'refusals'];
  const rows = report.widgets.map((w) => [
    widgetLabel(w),
    ...figureCells(w.totals),
    sparkline(w.days.map((d) => d.messages)),
    formatRefusals(w.totals.refusals),
  ]);
  const total = ['total', ...figureCells(report.totals), '', formatRefusals(report.totals.refusals)];
  lines.push(...table(header, rows, report.widgets.length > 1 ? total : undefined));

  if (report.widgets.length === 1) {
    const widget = report.widgets[0]!;
    const max = Math.max(0, ...widget.days.map((d) => d.messages));
    lines.push('', `${printable(widget.widgetId)}${widget.name ? ` — ${printable(widget.name)}` : ''}, per day:`, '');
    lines.push(
      ...table(
        ['day', 'sessions', 'messages', 'tokens in', 'tokens out', 'est. cost', 'messages', 'refusals'],
        widget.days.map((d) => [d.day, ...figureCells(d), bar(d.messages, max), formatRefusals(d.refusals)]),
      ),
    );
  }
  return lines.join('\n');
}

/** A row's five figures (sessions, messages, tokens in/out, cost), formatted; the operator page uses them too. */
export function figureCells(f: UsageFigures): string[] {
  return [
    formatCount(f.sessions),
    formatCount(f.messages),
    formatCount(f.inputTokens),
    formatCount(f.outputTokens),
    formatCost(f.costUsd),
  ];
}

function widgetLabel(w: WidgetUsage): string {
  return w.status === 'active' ? printable(w.widgetId) : `${printable(w.widgetId)} (${w.status})`;
}

function bar(value: number, max: number): string {
  if (value <= 0 || max <= 0) return '';
  return '█'.repeat(Math.max(1, Math.round((value / max) * BAR_WIDTH)));
}

/**
 * Aligned columns: text left, figures right (`leftAligned`, by default the first and last two
 * columns are text); the last column is not padded.
 */
export function table(
  header: string[],
  rows: string[][],
  footer?: string[],
  leftAligned = (c: number) => c === 0 || c >= header.length - 2,
): string[] {
  const all = footer ? [header, ...rows, footer] : [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((row) => [...row[c]!].length)));
  const render = (row: string[]) =>
    row
      .map((cell, c) =>
        c === row.length - 1 ? cell : leftAligned(c) ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!),
      )
      .join('  ')
      .trimEnd();
  const lines = [render(header), ...rows.map(render)];
  if (footer)
    lines.push(
      widths
        .map((w) => '─'.repeat(w))
        .slice(0, -1)
        .join('──'),
      render(footer),
    );
  return lines;
}

/** Text from the table goes to a terminal: control characters (escape sequences) never pass. */
export function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it replaces
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '�');
}
