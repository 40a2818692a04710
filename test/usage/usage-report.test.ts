import { readUsageReport } from '../../functions/usage/report';
import { rollUpUsage } from '../../functions/usage/roll-up';
import { at, startUsageTable, TABLE, type UsageTable } from './usage-table';

let table: UsageTable;
beforeEach(async () => {
  table = await startUsageTable();
});
afterEach(async () => {
  await table.close();
});

const reportAt = (iso: string, options: { days?: number; widgetId?: string } = {}) =>
  readUsageReport({ doc: table.doc, table: TABLE, now: () => at(iso), ...options });

async function seedWeek() {
  await table.putWidget('docs-bot', { name: 'Docs assistant' });
  await table.putWidget('support-bot', { name: 'Support', status: 'paused' });
  await table.putCounter('docs-bot', at('2026-11-22T10:00:00Z'), {
    sessions: 2,
    messages: 5,
    inputTokens: 500,
    outputTokens: 200,
    costUsd: 0.01,
  });
  await table.putCounter('docs-bot', at('2026-11-23T10:00:00Z'), {
    sessions: 3,
    messages: 9,
    inputTokens: 900,
    outputTokens: 300,
    costUsd: 0.02,
    refusals: { widget_rate_limit: 2 },
  });
  await table.putCounter('docs-bot', at('2026-11-24T08:00:00Z'), {
    sessions: 1,
    messages: 4,
    refusals: { widget_rate_limit: 1, budget_exhausted: 1 },
  });
}

test('the figures are the same before and after the quota-reset job runs', async () => {
  await seedWeek();

  const before = await reportAt('2026-11-24T12:00:00Z');
  await rollUpUsage({ doc: table.doc, table: TABLE, now: () => at('2026-11-24T00:00:00Z') });
  const after = await reportAt('2026-11-24T12:00:00Z');

  const strip = (r: typeof before) =>
    r.widgets.map((w) => ({ ...w, days: w.days.map(({ source: _, ...figures }) => figures) }));
  expect(strip(after)).toEqual(strip(before));
  expect(after.widgets[0]!.totals.messages).toBe(18);
});

test('totals add every day and every refusal code', async () => {
  await seedWeek();

  const report = await reportAt('2026-11-24T12:00:00Z');

  expect(report.days).toEqual([
    '2026-11-18',
    '2026-11-19',
    '2026-11-20',
    '2026-11-21',
    '2026-11-22',
    '2026-11-23',
    '2026-11-24',
  ]);
  expect(report.widgets.map((w) => [w.widgetId, w.name, w.status])).toEqual([
    ['docs-bot', 'Docs assistant', 'active'],
    ['support-bot', 'Support', 'paused'],
  ]);
  expect(report.widgets[0]!.totals).toEqual({
    sessions: 6,
    messages: 18,
    inputTokens: 1400,
    outputTokens: 500,
    costUsd: 0.03,
    refusals: { widget_rate_limit: 3, budget_exhausted: 1 },
  });
  expect(report.totals).toEqual(report.widgets[0]!.totals);
});

test('--days narrows the window to the last days, today included', async () => {
  await seedWeek();

  const report = await reportAt('2026-11-24T12:00:00Z', { days: 2 });

  expect(report.days).toEqual(['2026-11-23', '2026-11-24']);
  expect(report.widgets[0]!.totals.messages).toBe(13);
});

test('a counter changed after its roll-up wins over the stale history copy', async () => {
  await seedWeek();
  await rollUpUsage({ doc: table.doc, table: TABLE, now: () => at('2026-11-24T00:00:00Z') });
  await table.addToCounter('docs-bot', '2026-11-23', { outputTokens: 50 });

  const report = await reportAt('2026-11-24T00:00:05Z', { widgetId: 'docs-bot' });

  expect(report.widgets[0]!.days.find((d) => d.day === '2026-11-23')).toMatchObject({
    source: 'counter',
    outputTokens: 350,
  });
});

test('expired counters are ignored and history carries the days they covered', async () => {
  await seedWeek();
  await rollUpUsage({ doc: table.doc, table: TABLE, now: () => at('2026-11-25T00:00:00Z') });

  // Six days on, every counter of the week has expired (dynalite keeps them; readers must not use them).
  const report = await reportAt('2026-11-30T12:00:00Z', { widgetId: 'docs-bot' });

  expect(report.widgets[0]!.days.filter((d) => d.source !== 'none').map((d) => [d.day, d.source, d.messages])).toEqual([
    ['2026-11-24', 'history', 4],
  ]);
});

test('a widget deleted from the config appears while it has usage in the window, marked deleted', async () => {
  await seedWeek();
  await table.putWidget('old-bot');
  await rollUpUsage({ doc: table.doc, table: TABLE, now: () => at('2026-11-22T00:00:00Z') });
  await table.putCounter('old-bot', at('2026-11-22T09:00:00Z'), { messages: 7 });
  await table.deleteWidget('old-bot');
  await rollUpUsage({ doc: table.doc, table: TABLE, now: () => at('2026-11-23T00:00:00Z') });

  const inWindow = await reportAt('2026-11-24T12:00:00Z');
  const later = await reportAt('2026-12-10T12:00:00Z');

  expect(inWindow.widgets.map((w) => [w.widgetId, w.status, w.totals.messages])).toEqual([
    ['docs-bot', 'active', 18],
    ['support-bot', 'paused', 0],
    ['old-bot', 'deleted', 7],
  ]);
  expect(later.widgets.map((w) => w.widgetId)).toEqual(['docs-bot', 'support-bot']);
});

test('one widget: an unknown id gives no widgets, a declared one not applied yet gives zeros', async () => {
  await seedWeek();

  const unknown = await reportAt('2026-11-24T12:00:00Z', { widgetId: 'nope' });
  const declared = await readUsageReport({
    doc: table.doc,
    table: TABLE,
    now: () => at('2026-11-24T12:00:00Z'),
    widgetId: 'new-bot',
    declaredWidgets: [{ widgetId: 'new-bot', name: 'New', status: 'active' }],
  });

  expect(unknown.widgets).toEqual([]);
  expect(declared.widgets.map((w) => [w.widgetId, w.name, w.totals.messages])).toEqual([['new-bot', 'New', 0]]);
});

test('progress is reported once per widget', async () => {
  await seedWeek();
  const calls: [number, number][] = [];

  await readUsageReport({
    doc: table.doc,
    table: TABLE,
    now: () => at('2026-11-24T12:00:00Z'),
    onProgress: (d, t) => calls.push([d, t]),
  });

  expect(calls).toEqual([
    [1, 2],
    [2, 2],
  ]);
});
