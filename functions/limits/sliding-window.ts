/**
 * The per-minute limit is a sliding 60-second window estimated from two fixed minutes:
 * at second `s` of minute `m`, the window holds `cur(m) + prev(m-1) × (60 - s) / 60`.
 * The counter item stores, for each second of the current minute, how many messages the minute
 * may hold in total (`caps[s]`), so DynamoDB can check `cur < caps[s]` in one conditional write.
 */
export function windowCaps(perMinute: number, previousMinuteCount: number): number[] {
  return Array.from({ length: 60 }, (_, s) =>
    Math.max(0, perMinute - Math.ceil((previousMinuteCount * (60 - s)) / 60)),
  );
}

/**
 * Seconds until the window admits one more message (for Retry-After). When this minute has no
 * room left, this minute's count becomes the next minute's previous one and still weighs in.
 */
export function secondsUntilAdmitted(
  caps: readonly number[],
  current: number,
  second: number,
  perMinute: number,
): number {
  for (let s = second + 1; s < 60; s++) if ((caps[s] ?? 0) > current) return s - second;
  const next = windowCaps(perMinute, current).findIndex((cap) => cap > 0);
  return next === -1 ? 120 - second : 60 - second + next;
}

export const epochMinute = (now: number) => Math.floor(now / 60_000);
export const secondOfMinute = (now: number) => Math.floor((now % 60_000) / 1000);
