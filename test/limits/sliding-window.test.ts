import fc from 'fast-check';
import { epochMinute, secondOfMinute, secondsUntilAdmitted, windowCaps } from '../../functions/limits/sliding-window';

test.each([
  // perMinute, previous minute's count, second → messages this minute may hold in total
  [10, 0, 0, 10],
  [10, 0, 59, 10],
  [10, 10, 0, 0], // a full previous minute still fills the whole window
  [10, 10, 5, 0],
  [10, 10, 6, 1], // 10 × 54/60 = 9 still in the window
  [10, 10, 30, 5], // half of it
  [10, 10, 59, 9],
  [10, 3, 0, 7],
  [10, 3, 40, 9], // ceil(3 × 20/60) = 1
  [5, 20, 59, 4], // a previous minute above a lowered limit never gives a negative cap
  [5, 20, 0, 0],
])('windowCaps(%i, prev %i)[%i] is %i', (perMinute, previous, second, cap) => {
  expect(windowCaps(perMinute, previous)[second]).toBe(cap);
});

test('caps never fall as the minute goes on and never exceed perMinute', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 0, max: 2000 }), (perMinute, previous) => {
      const caps = windowCaps(perMinute, previous);
      expect(caps).toHaveLength(60);
      caps.forEach((cap, s) => {
        expect(cap).toBeGreaterThanOrEqual(s === 0 ? 0 : caps[s - 1]!);
        expect(cap).toBeLessThanOrEqual(perMinute);
      });
    }),
  );
});

/** Whether a message sent `after` seconds past second `second` of a minute is admitted, with no other traffic. */
function admittedLater(perMinute: number, previous: number, current: number, second: number, after: number): boolean {
  const at = second + after;
  if (at < 60) return current < windowCaps(perMinute, previous)[at]!;
  if (at < 120) return 0 < windowCaps(perMinute, current)[at - 60]!; // this minute becomes the previous one
  return true;
}

test('Retry-After is exactly the wait until the window admits the next message, across the minute boundary', () => {
  const refused = fc
    .record({
      perMinute: fc.integer({ min: 1, max: 60 }),
      previous: fc.integer({ min: 0, max: 60 }),
      second: fc.integer({ min: 0, max: 59 }),
    })
    .chain(({ perMinute, previous, second }) => {
      const cap = windowCaps(perMinute, previous)[second]!;
      // A refusal: this minute already holds at least the cap (at most perMinute were admitted).
      return fc.record({
        perMinute: fc.constant(perMinute),
        previous: fc.constant(previous),
        second: fc.constant(second),
        current: fc.integer({ min: cap, max: perMinute }),
      });
    });
  fc.assert(
    fc.property(refused, ({ perMinute, previous, second, current }) => {
      const wait = secondsUntilAdmitted(windowCaps(perMinute, previous), current, second, perMinute);
      expect(wait).toBeGreaterThanOrEqual(1);
      expect(admittedLater(perMinute, previous, current, second, wait)).toBe(true);
      expect(admittedLater(perMinute, previous, current, second, wait - 1)).toBe(false);
    }),
    { numRuns: 2000 },
  );
});

test.each([
  [Date.UTC(2026, 10, 24, 12, 0, 0), 29_925_360, 0],
  [Date.UTC(2026, 10, 24, 12, 0, 59, 999), 29_925_360, 59],
  [Date.UTC(2026, 10, 24, 12, 1, 0), 29_925_361, 0],
])('epoch %i is minute %i, second %i', (now, minute, second) => {
  expect([epochMinute(now), secondOfMinute(now)]).toEqual([minute, second]);
});
