import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

const fmt = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(2));

/**
 * Counts the document client's requests by command and times them, with two SDK middlewares:
 * the count once per attempt (retries count), the time as the wall time with at least one
 * request in flight (what a message waits on the table; parallel writes count once).
 */
export function watchRequests(doc: DynamoDBDocumentClient) {
  const counts = new Map<string, number>();
  let paused = false;
  let inFlight = 0;
  let busySince = 0;
  let busyMs = 0;
  const total = () => [...counts.values()].reduce((a, b) => a + b, 0);
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      if (!paused) {
        const name = String(context.commandName ?? 'unknown').replace(/Command$/, '');
        counts.set(name, (counts.get(name) ?? 0) + 1);
      }
      return next(args);
    },
    { step: 'deserialize', name: 'perchBenchCountRequests' }, // once per attempt
  );
  doc.middlewareStack.add(
    (next) => async (args) => {
      if (paused) return next(args);
      if (inFlight++ === 0) busySince = performance.now();
      try {
        return await next(args);
      } finally {
        if (--inFlight === 0) busyMs += performance.now() - busySince;
      }
    },
    { step: 'initialize', name: 'perchBenchTimeRequests' }, // the whole SDK call: marshalling, signing, HTTP
  );
  return {
    reset: () => {
      counts.clear();
      busyMs = 0;
    },
    /** Wall time with a request in flight since the last reset. */
    busyMs: () => busyMs,
    untracked: async <T>(act: () => Promise<T>): Promise<T> => {
      paused = true;
      try {
        return await act();
      } finally {
        paused = false;
      }
    },
    /** Requests since the last reset. */
    total,
    /** Requests by command since the last reset, per action. */
    byCommand: (actions: number) => Object.fromEntries([...counts].map(([name, n]) => [name, n / actions])),
    describe: (actions: number) => {
      const kinds = [...counts]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, n]) => `${name} ${fmt(n / actions)}`);
      return `${fmt(total() / actions).padStart(4)} requests  (${kinds.join(', ')})`;
    },
  };
}

export type RequestWatch = ReturnType<typeof watchRequests>;
