/**
 * What `npm run cost` assumes where nothing measures it: each value beside the sentence the
 * output prints, so the printed assumptions and the arithmetic never disagree.
 */
export const ASSUMED = {
  sessionsPerMessage: 1 / 4,
  pageViewsPerSession: 10,
  answerTokens: 300,
  promptTokens: 1500,
  /** One in-region DynamoDB request, the requests of a route one after another. */
  dynamodbMs: 6,
  modelFirstTokenMs: 1000,
  modelTokensPerSecond: 60,
  bytesPerToken: 4,
  questionBytes: 200,
  /** Ids, roles and timestamps of a question and its answer in the session item. */
  turnPairOverheadBytes: 300,
  sessionItemBaseBytes: 400,
  responseHeaderBytes: 400,
  widgetConfigBytes: 1024,
  sessionStartBytes: 600,
  coldStartShare: 0.01,
  quotaResetRunsPerMonth: 30,
  quotaResetMs: 2000,
  /** Powertools' `request` line (functions/http/api-handler.ts): 511 B for a message's, plus Lambda's line prefix. */
  requestLogBytes: 580,
  /** Lambda's own START, END and REPORT lines per invocation. */
  platformLogBytes: 350,
  /** createPowertoolsMetrics writes 555 B for a message's figures and 248 B for a session start's. */
  emfBytesPerMessage: 600,
  emfBytesPerSessionStart: 300,
  logRetentionDays: 30,
  refusalCodesPerWidget: 3,
  /** Regional edge caches that refetch loader.js (max-age 300 s) from S3 at most every 5 minutes. */
  regionalEdgeCaches: 13,
  alarmNotificationsPerMonth: 30,
};

export type Assumed = typeof ASSUMED;

/** The sentences the output prints, one per assumption, from the values used. */
export function describeAssumptions(a: Assumed, answerTokens: number, promptTokens: number): string[] {
  return [
    `sessions default to ${a.sessionsPerMessage * 100} % of messages, ` +
      `page views to ${a.pageViewsPerSession} per session`,
    'messages take the fast path (the first message of a minute or a UTC day costs 1-4 DynamoDB requests more)',
    `each DynamoDB request takes ${a.dynamodbMs} ms in region, a route's requests one after another`,
    `the model's first token after ${a.modelFirstTokenMs} ms, then ${a.modelTokensPerSecond} tokens/s: ` +
      `a streamed reply keeps the messages function running (and billed) until its last token`,
    `${answerTokens} answer tokens and ${promptTokens} prompt tokens per message, ` +
      `${a.bytesPerToken} bytes of text per token, one SSE delta per token`,
    `each session item write costs 1 WRU per started KB: the item holds the turns so far ` +
      `(${a.questionBytes} B question, ${a.turnPairOverheadBytes} B ids per exchange); reads are eventually consistent`,
    'every other item is under 1 KB (writes) and 4 KB (reads); GetItem counted as a strongly consistent read',
    `one CORS preflight per session for each POST route (Access-Control-Max-Age 600 s); feedback not counted`,
    'each page view fetches loader.js (at its gzip budget) and the widget config (its 60 s max-age ignored); ' +
      'each session the chat bundle',
    `S3: loader.js is refetched at most every 5 minutes by each of ${a.regionalEdgeCaches} regional edge caches; ` +
      'the chat bundle is immutable and stays cached; knowledge artifacts are read once per cold start',
    `${a.coldStartShare * 100} % of invocations are cold starts (their init time is not counted); ` +
      'each reads each secret once (the secret cache)',
    `the quota reset runs ${a.quotaResetRunsPerMonth} times a month for ${a.quotaResetMs / 1000} s`,
    `logs: a ${a.requestLogBytes} B request line and ${a.platformLogBytes} B of Lambda platform lines ` +
      'per invocation, ' +
      `${a.emfBytesPerMessage} B of EMF per message and ${a.emfBytesPerSessionStart} B per session start, ` +
      `kept ${a.logRetentionDays} days (perch:logRetentionDays), stored uncompressed (an upper bound)`,
    `metrics: every active widget emits each metric, Refusals with ${a.refusalCodesPerWidget} codes; one dashboard`,
    `${a.alarmNotificationsPerMonth} alarm notifications a month to each subscriber of the base config's alerts`,
    'free tiers not subtracted; data from API Gateway and S3 to CloudFront is free; replies stay under ' +
      "Lambda streaming's free 6 MB; messages spread evenly over the active widgets",
  ];
}
