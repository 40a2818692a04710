import type { UsageReport } from '../../functions/usage/report';
import { formatCost, formatCount, formatRefusals, formatUsageReport, sparkline } from '../../infra/usage/format-text';
import { createProgress } from '../../infra/usage/progress';

test.each([
  [[0, 0, 0], '···'],
  [[1, 2, 3, 4, 5, 6, 7, 8], '▁▂▃▄▅▆▇█'],
  [[0, 1, 1000], '·▁█'],
  [[5], '█'],
])('sparkline(%j) is %s', (values, line) => {
  expect(sparkline(values)).toBe(line);
});

test.each([
  [0, '$0.0000'],
  [0.00004, '$0.0000'],
  [0.1234, '$0.1234'],
  [1, '$1.00'],
  [12_345.678, '$12,345.68'],
])('formatCost(%d) is %s', (usd, text) => {
  expect(formatCost(usd)).toBe(text);
});

test('counts get thousands separators whatever the locale', () => {
  expect([0, 999, 1000, 1_234_567].map(formatCount)).toEqual(['0', '999', '1,000', '1,234,567']);
});

test('refusals are listed most frequent first, and none is a dash', () => {
  expect(formatRefusals({ widget_rate_limit: 2, budget_exhausted: 5, bad_request: 0 })).toBe(
    'budget_exhausted 5, widget_rate_limit 2',
  );
  expect(formatRefusals({})).toBe('—');
});

test('text from the table cannot send escape sequences to the terminal', () => {
  const figures = { sessions: 0, messages: 1, inputTokens: 0, outputTokens: 0, costUsd: 0 };
  const refusals = { '\u001b]0;owned\u0007\u001b[2J': 1 };
  const report: UsageReport = {
    generatedAt: '2026-11-24T12:00:00.000Z',
    days: ['2026-11-24'],
    widgets: [
      {
        widgetId: 'x\u001b[31m',
        name: 'n\u009b1m',
        status: 'deleted',
        days: [{ day: '2026-11-24', source: 'counter', ...figures, refusals }],
        totals: { ...figures, refusals },
      },
    ],
    totals: { ...figures, refusals },
  };

  const text = formatUsageReport(report, { source: 'test' });

  // biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for control characters
  expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  expect(text).toContain('x�[31m (deleted)');
});

describe('the progress line', () => {
  const stream = (isTTY: boolean) => {
    const writes: string[] = [];
    return { writes, isTTY, write: (s: string) => writes.push(s) > 0 };
  };

  test('stays silent for a short read', () => {
    const out = stream(true);
    let now = 0;
    const progress = createProgress({ stream: out, label: 'reading usage:', now: () => now });
    now = 500;
    progress.update(1, 2);
    progress.finish();
    expect(out.writes).toEqual([]);
  });

  test('rewrites one line on a terminal once the read is long, and clears it at the end', () => {
    const out = stream(true);
    let now = 0;
    const progress = createProgress({ stream: out, label: 'reading usage:', now: () => now });
    now = 1500;
    progress.update(250, 1000);
    now = 1550;
    progress.update(260, 1000);
    now = 1700;
    progress.update(1000, 1000);
    progress.finish();
    expect(out.writes).toEqual([
      '\r\u001b[2Kreading usage: 250/1000 widgets (25%)',
      '\r\u001b[2Kreading usage: 1000/1000 widgets (100%)',
      '\r\u001b[2K',
    ]);
  });

  test('writes plain lines, every few seconds, when stderr is a log', () => {
    const out = stream(false);
    let now = 0;
    const progress = createProgress({ stream: out, label: 'reading usage:', now: () => now });
    for (now = 1000; now <= 12_000; now += 1000) progress.update(now / 1000, 12);
    progress.finish();
    expect(out.writes).toEqual([
      'reading usage: 1/12 widgets (8%)\n',
      'reading usage: 6/12 widgets (50%)\n',
      'reading usage: 11/12 widgets (91%)\n',
    ]);
  });
});
