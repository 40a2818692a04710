/**
 * The figures `npm run cost` prices that the benches measure, kept in this one place: the benches
 * import it and print how far each new run is from it (`npm run bench -- messages`, `-- sse`), so
 * a change that moves a figure shows up there and is copied here, never typed twice.
 * Measured 2026-12-02 on this repository's 2-core machine, Node 20, dynalite in process.
 */
export const MEASURED = {
  measuredOn: '2026-12-02',
  /** DynamoDB requests by command per visitor action (bench/messages.bench.ts, the routes in process). */
  dynamodbRequests: {
    /** The fast path: a message in the same minute as the widget's previous one. */
    message: { BatchGetItem: 1, UpdateItem: 4 },
    sessionStart: { GetItem: 2, PutItem: 1, UpdateItem: 2 },
    /** `GET /v1/widgets/{key}`, on every page view: the key, then its widget. */
    widgetConfig: { GetItem: 2 },
  },
  /**
   * A message handler's own work, median ms: middy, edge and route, less its DynamoDB time
   * (bench/messages.bench.ts, local adapter). Used for every route: they share the edge and middy.
   */
  handlerOwnMs: 1.88,
  /** A streamed reply's body (bench/sse.bench.ts): bytes besides its delta events, and per delta beyond its text. */
  replyBytes: { besidesDeltas: 129, perDelta: 32 },
} as const satisfies CostFigures;

/** The figures' shape with any numbers: tests price fixed figures of their own. */
export interface CostFigures {
  measuredOn: string;
  dynamodbRequests: Record<'message' | 'sessionStart' | 'widgetConfig', Readonly<Record<string, number>>>;
  handlerOwnMs: number;
  replyBytes: { besidesDeltas: number; perDelta: number };
}
