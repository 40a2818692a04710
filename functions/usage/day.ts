/** UTC day helpers: limits, counters and usage are all keyed by the UTC day. */
export function utcDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

/** Epoch ms of the next 00:00 UTC after `epochMs`. */
export function nextUtcMidnight(epochMs: number): number {
  const date = new Date(epochMs);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1);
}

const DAY_MS = 86_400_000;

/** Epoch ms of 00:00 UTC on `day`. */
export function utcDayStart(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

/** The UTC day `count` days after `day` (before it when negative). */
export function addUtcDays(day: string, count: number): string {
  return utcDay(utcDayStart(day) + count * DAY_MS);
}

/** The `count` UTC days ending with `lastDay`, oldest first. */
export function utcDaysEndingOn(lastDay: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => addUtcDays(lastDay, i - count + 1));
}
