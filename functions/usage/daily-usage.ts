import { createHash } from 'node:crypto';
import type { DailyUsage } from './counter-record';

/** The usage figures of DailyUsage, without the widget and day they belong to. */
export type UsageFigures = Omit<DailyUsage, 'widgetId' | 'day'>;

/** The numeric usage attributes shared by counter items and history items. */
export const USAGE_NUMBERS = ['sessions', 'messages', 'inputTokens', 'outputTokens', 'costUsd'] as const;

export const noUsage = (): UsageFigures => ({
  sessions: 0,
  messages: 0,
  inputTokens: 0,
  outputTokens: 0,
  costUsd: 0,
  refusals: {},
});

/**
 * The usage figures of a counter or history item, with absent attributes as zero. Counter
 * attributes appear only once something was counted, and `refusals` only after a refusal.
 */
export function usageFigures(item: Partial<UsageFigures>): UsageFigures {
  const figures = noUsage();
  for (const name of USAGE_NUMBERS) figures[name] = finiteNumber(item[name]);
  for (const [code, count] of Object.entries(item.refusals ?? {})) figures.refusals[code] = finiteNumber(count);
  return figures;
}

/** Adds `more` into `total` (refusals code by code). */
export function addUsage(total: UsageFigures, more: UsageFigures): UsageFigures {
  for (const name of USAGE_NUMBERS) total[name] += more[name];
  for (const [code, count] of Object.entries(more.refusals)) total.refusals[code] = (total.refusals[code] ?? 0) + count;
  return total;
}

/**
 * A short digest of the figures as stored (absent and zero differ, refusal order does not):
 * the quota-reset job keeps the digest of what it copied, so a late write shows as a change.
 */
export function usageDigest(item: Partial<UsageFigures>): string {
  const refusals = item.refusals
    ? Object.entries(item.refusals).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    : null;
  const canonical = JSON.stringify([...USAGE_NUMBERS.map((name) => item[name] ?? null), refusals]);
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 22);
}

function finiteNumber(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/**
 * A `ProjectionExpression` reading exactly these attributes, through `#name` placeholders
 * (some, like `day` and `sessions`, would clash with DynamoDB's reserved words).
 */
export function projectionOf(attributes: readonly string[]) {
  return {
    ProjectionExpression: attributes.map((n) => `#${n}`).join(', '),
    ExpressionAttributeNames: Object.fromEntries(attributes.map((n) => [`#${n}`, n])),
  };
}
