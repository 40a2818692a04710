import { nextUtcMidnight } from '../../functions/usage/day';

export interface QuotaTimerOptions {
  /** The quota-reset job (locally: the same Lambda handler as on AWS). */
  run: () => Promise<unknown>;
  now?: () => number;
  /** Also run once at start, to catch up on the midnights the target was not running for. */
  runAtStart?: boolean;
  onError?: (error: unknown) => void;
}

export interface QuotaTimer {
  /** Epoch ms of the next scheduled run. */
  readonly nextRunAt: number;
  /** Settles when the run at start (if any) has finished: the catch-up is done. */
  readonly caughtUp: Promise<void>;
  /** Cancels the schedule and waits for a run in progress. */
  stop(): Promise<void>;
}

/**
 * The local stand-in for EventBridge Scheduler's `cron(0 0 * * ? *)`: runs the job at every
 * 00:00 UTC, one run at a time. Runs are idempotent, so a late timer (a laptop that slept)
 * only makes the run late, and the timer never keeps the process alive on its own.
 */
export function startQuotaTimer({
  run,
  now = Date.now,
  runAtStart = false,
  onError = console.error,
}: QuotaTimerOptions): QuotaTimer {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  let nextRunAt = nextUtcMidnight(now());

  const runOnce = () => {
    running = running.then(() => (stopped ? undefined : run().then(() => undefined, onError)));
    return running;
  };
  const schedule = () => {
    if (stopped) return;
    // Timers may fire a little early or very late; only a run at or after midnight counts.
    timer = setTimeout(
      () => {
        if (now() < nextRunAt) return schedule();
        nextRunAt = nextUtcMidnight(now());
        void runOnce().then(schedule);
      },
      Math.max(0, nextRunAt - now()),
    );
    timer.unref();
  };

  const caughtUp = runAtStart ? runOnce() : Promise.resolve();
  schedule();
  return {
    get nextRunAt() {
      return nextRunAt;
    },
    caughtUp,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
