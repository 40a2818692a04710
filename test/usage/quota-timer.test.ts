import { startQuotaTimer } from '../../infra/local/quota-timer';

const at = (iso: string) => Date.parse(iso);

beforeEach(() => {
  jest.useFakeTimers({ now: at('2026-11-24T23:59:58Z') });
});
afterEach(() => {
  jest.useRealTimers();
});

test('runs at 00:00 UTC, then at every following midnight', async () => {
  const runs: string[] = [];
  const timer = startQuotaTimer({ run: async () => void runs.push(new Date().toISOString()) });

  expect(new Date(timer.nextRunAt).toISOString()).toBe('2026-11-25T00:00:00.000Z');
  await jest.advanceTimersByTimeAsync(1_999);
  expect(runs).toEqual([]);
  await jest.advanceTimersByTimeAsync(1);
  await jest.advanceTimersByTimeAsync(86_400_000);

  expect(runs).toEqual(['2026-11-25T00:00:00.000Z', '2026-11-26T00:00:00.000Z']);
  expect(new Date(timer.nextRunAt).toISOString()).toBe('2026-11-27T00:00:00.000Z');
  await timer.stop();
});

test('a timer that fires before midnight by the clock waits instead of running on the old day', async () => {
  const runs: number[] = [];
  let lagMs = 0;
  const now = () => Date.now() - lagMs;
  const timer = startQuotaTimer({ now, run: async () => void runs.push(now()) });
  // The system clock is then set back 5 ms (NTP): when the timer fires it is still 23:59:59.995.
  lagMs = 5;

  await jest.advanceTimersByTimeAsync(2_000);
  expect(runs).toEqual([]);
  await jest.advanceTimersByTimeAsync(5);

  expect(runs).toEqual([at('2026-11-25T00:00:00Z')]);
  await timer.stop();
});

test('catches up at start when asked, and a failed run is reported without stopping the schedule', async () => {
  const errors: unknown[] = [];
  let calls = 0;
  const timer = startQuotaTimer({
    runAtStart: true,
    onError: (error) => errors.push(error),
    run: async () => {
      calls++;
      if (calls === 1) throw new Error('table unreachable');
    },
  });

  await jest.advanceTimersByTimeAsync(2_000);

  expect(calls).toBe(2);
  expect(errors).toEqual([new Error('table unreachable')]);
  await timer.stop();
});

test('stop waits for the run in progress and cancels the next one', async () => {
  let finish!: () => void;
  let calls = 0;
  const timer = startQuotaTimer({
    runAtStart: true,
    run: () => {
      calls++;
      return new Promise<void>((resolve) => (finish = resolve));
    },
  });
  await jest.advanceTimersByTimeAsync(0);
  expect(calls).toBe(1);
  let stopped = false;
  const stopping = timer.stop().then(() => (stopped = true));

  await jest.advanceTimersByTimeAsync(0);
  expect(stopped).toBe(false);
  finish();
  await stopping;
  await jest.advanceTimersByTimeAsync(86_400_000);

  expect(stopped).toBe(true);
  expect(calls).toBe(1);
});
