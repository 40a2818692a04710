import type { Assumed } from '../../infra/cost/assumptions';
import { type CostInputs, estimateMonthlyCost, type StackShape } from '../../infra/cost/estimate';
import type { CostFigures } from '../../infra/cost/measured';
import type { PriceKey, PriceTable } from '../../infra/cost/prices';

// Fixed inputs, figures, assumptions and round prices: the expected dollars below are worked out by
// hand from these (the arithmetic is beside each row), never by calling the estimate's own code.
const INPUTS: CostInputs = {
  messages: 1_000_000,
  sessions: 250_000,
  pageViews: 2_500_000,
  answerTokens: 300,
  promptTokens: 1000,
};

const FIGURES: CostFigures = {
  measuredOn: 'fixture',
  dynamodbRequests: {
    message: { BatchGetItem: 1, UpdateItem: 4 },
    sessionStart: { GetItem: 2, PutItem: 1, UpdateItem: 2 },
    widgetConfig: { GetItem: 2 },
  },
  handlerOwnMs: 2,
  replyBytes: { besidesDeltas: 100, perDelta: 30 },
};

const ASSUMPTIONS: Assumed = {
  sessionsPerMessage: 0.25,
  pageViewsPerSession: 10,
  answerTokens: 300,
  promptTokens: 1500,
  dynamodbMs: 10,
  modelFirstTokenMs: 1000,
  modelTokensPerSecond: 50,
  bytesPerToken: 4,
  questionBytes: 200,
  turnPairOverheadBytes: 300,
  sessionItemBaseBytes: 400,
  responseHeaderBytes: 400,
  widgetConfigBytes: 1000,
  sessionStartBytes: 600,
  coldStartShare: 0.01,
  quotaResetRunsPerMonth: 30,
  quotaResetMs: 2000,
  requestLogBytes: 450,
  platformLogBytes: 350,
  emfBytesPerMessage: 1200,
  emfBytesPerSessionStart: 500,
  logRetentionDays: 30,
  refusalCodesPerWidget: 3,
  regionalEdgeCaches: 13,
  alarmNotificationsPerMonth: 30,
};

const SHAPE: StackShape = {
  widgets: [
    { id: 'a', model: 'claude', active: true, pricing: { inputPerMTok: 1, outputPerMTok: 5 } },
    { id: 'b', model: 'other', active: true },
    { id: 'c', model: 'claude', active: false },
  ],
  configSecrets: 1,
  alarms: 17,
  alertEmails: 2,
  alertWebhook: true,
  retentionDays: 30,
};

const ROUND_PRICES: Record<PriceKey, [usd: number, per: number]> = {
  lambdaRequest: [0.2, 1e6],
  lambdaArmGbSecond: [0.00001, 1],
  dynamodbWriteUnit: [1, 1e6],
  dynamodbReadUnit: [0.25, 1e6],
  dynamodbStorage: [0.25, 1],
  apiGatewayRestRequest: [3.5, 1e6],
  cloudfrontHttpsRequest: [0.01, 1e4],
  cloudfrontDataOut: [0.1, 1],
  cloudfrontFunction: [0.1, 1e6],
  s3Get: [0.0004, 1e3],
  secretsManagerSecret: [0.4, 1],
  secretsManagerApiCall: [0.05, 1e4],
  cloudwatchLogIngest: [0.5, 1],
  cloudwatchLogStorage: [0.03, 1],
  cloudwatchMetric: [0.3, 1],
  cloudwatchAlarm: [0.1, 1],
  cloudwatchDashboard: [3, 1],
  snsPublish: [0.5, 1e6],
  snsEmail: [2, 1e5],
  snsHttps: [0.6, 1e6],
};

const PRICES: PriceTable = {
  region: 'eu-west-1',
  currency: 'USD',
  date: '2026-01-01',
  notes: 'fixture',
  prices: Object.fromEntries(
    Object.entries(ROUND_PRICES).map(([key, [usd, per]]) => [
      key,
      { usd, per, unit: 'unit', date: '2026-01-01', source: 'https://example.com/' },
    ]),
  ) as PriceTable['prices'],
};

const estimate = estimateMonthlyCost(INPUTS, SHAPE, PRICES, FIGURES, ASSUMPTIONS);
const GB = 2 ** 30;

// Invocations: widget-config 2.5M, sessions 250k + 250k preflights, messages 1M + 250k preflights, quota-reset 30.
// A message: 2 ms own + 5 requests × 10 ms + 1000 ms + 300 tokens / 50 per s = 7052 ms.
// Session item: 400 + 1700 B per exchange (1200 answer + 200 question + 300 ids) × (4 + 1) / 2 = 4650 B average,
// so 5 WRU per session write and 0.5 × (1 + 2) RRU per BatchGetItem; 400 + 1700 × 4 = 7200 B at the end.
test.each<[string, string, number, number]>([
  ['Lambda', 'requests', 4_250_030, 0.850006], // × 0.2 / 1e6
  ['Lambda', 'widget-config (256 MB) GB-seconds', 13_750, 0.1375], // 2.5M × (2 + 2 × 10) ms × 0.25 GB
  ['Lambda', 'sessions (256 MB) GB-seconds', 3375, 0.03375], // 250k × (52 + 2) ms × 0.25 GB
  ['Lambda', 'messages (512 MB) GB-seconds', 3_526_250, 35.2625], // (1M × 7052 + 250k × 2) ms × 0.5 GB
  ['Lambda', 'quota-reset (256 MB) GB-seconds', 15, 0.00015], // 30 × 2 s × 0.25 GB
  ['DynamoDB', 'write request units', 12_750_000, 12.75], // 1M × (2 + 2 × 5) + 250k × 3
  ['DynamoDB', 'read request units', 7_000_000, 1.75], // 1M × 1.5 + 250k × 2 + 2.5M page views × 2
  ['DynamoDB', 'session storage GB-month', 1.8e9 / GB, 0.419095], // 250k × 7200 B × 30 / 30 days
  ['API Gateway', 'REST requests', 4_250_000, 14.875], // 2.5M + 3 × 250k + 1M
  ['CloudFront', 'HTTPS requests', 7_000_000, 7], // 2 × 2.5M + 4 × 250k + 1M
  ['CloudFront', 'viewer-IP function invocations', 4_250_000, 0.425],
  // 2.5M × (2600 loader + 1000 + 2 × 400) + 250k × (7000 chat + 600 + 4 × 400) + 1M × (100 + 300 × 34 + 400)
  ['CloudFront', 'data out GB', 24e9 / GB, 2.235174],
  ['S3', 'GET requests', 126_380, 0.050552], // 13 × 12 × 730 loader refetches + 1% of 1.25M messages invocations
  ['Secrets Manager', 'secrets (2)', 2, 0.8],
  ['Secrets Manager', 'API calls', 35_000, 0.175], // (5000 + 12,500 cold starts) × 2 secrets
  // 4,250,030 × 800 B + 1M × 1200 B + 250k × 500 B = 4,725,024,000 B
  ['CloudWatch', 'log ingest GB', 4_725_024_000 / GB, 2.200261],
  ['CloudWatch', 'log storage GB-month', 4_725_024_000 / GB, 0.132016],
  ['CloudWatch', 'custom metrics (2 widgets × 11)', 22, 6.6], // 8 per-widget metrics + Refusals × 3 codes
  ['CloudWatch', 'alarms (17)', 17, 1.7],
  ['CloudWatch', 'dashboard', 1, 3],
  ['SNS', 'publishes', 30, 0.000015],
  ['SNS', 'email deliveries (2 addresses)', 60, 0.0012],
  ['SNS', 'HTTPS deliveries', 30, 0.000018],
])('%s %s: %d for $%d', (service, item, quantity, usd) => {
  const line = estimate.lines.find((l) => l.service === service && l.item === item);
  expect(line?.quantity).toBeCloseTo(quantity, 6);
  expect(line?.usd).toBeCloseTo(usd, 6);
});

test('the bill has exactly the lines of the table above, the services adding up to the total', () => {
  expect(estimate.lines).toHaveLength(23);
  expect(estimate.services.map((s) => [s.service, Number(s.usd.toFixed(6))])).toEqual([
    ['Lambda', 36.283906],
    ['DynamoDB', 14.919095],
    ['API Gateway', 14.875],
    ['CloudFront', 9.660174],
    ['S3', 0.050552],
    ['Secrets Manager', 0.975],
    ['CloudWatch', 13.632276],
    ['SNS', 0.001233],
  ]);
  expect(estimate.totalUsd).toBeCloseTo(90.397237, 5);
});

test("the model's cost stands apart: per active widget, from its pricing, none where it has none", () => {
  expect(estimate.model).toEqual({
    // 500k messages × (1000 prompt tokens × $1 + 300 answer tokens × $5) / 1M
    widgets: [
      { id: 'a', model: 'claude', messages: 500_000, usd: 1250 },
      { id: 'b', model: 'other', messages: 500_000, usd: undefined },
    ],
    totalUsd: 1250,
  });
});
