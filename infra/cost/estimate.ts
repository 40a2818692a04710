import { METRIC } from '../../functions/metrics/metric-names';
import { QUOTA_RESET, ROUTES } from '../../functions/routes';
import { CHAT_GZIP_BUDGET, LOADER_GZIP_BUDGET } from '../../loader/build';
import { functionLimits } from '../aws/functions';
import { ASSUMED, type Assumed, describeAssumptions } from './assumptions';
import type { CostFigures } from './measured';
import type { PriceKey, PriceTable } from './prices';

/** The traffic of a month. */
export interface CostInputs {
  messages: number;
  sessions: number;
  pageViews: number;
  answerTokens: number;
  promptTokens: number;
}

/** What the config decides about the bill: its widgets, secrets and alert subscribers. */
export interface StackShape {
  widgets: { id: string; model: string; active: boolean; pricing?: ModelPricing }[];
  /** Secrets Manager secrets the config names (model API keys, identity secrets) besides the session secret. */
  configSecrets: number;
  /** The alarms the stack declares (infra/aws/alarms.ts). */
  alarms: number;
  alertEmails: number;
  alertWebhook: boolean;
  retentionDays: number;
}

export interface ModelPricing {
  inputPerMTok: number;
  outputPerMTok: number;
}

/** One priced quantity of the bill. */
export interface CostLine {
  service: string;
  item: string;
  quantity: number;
  price: PriceKey;
  usd: number;
}

export interface CostEstimate {
  region: string;
  pricesDate: string;
  measuredOn: string;
  inputs: CostInputs;
  lines: CostLine[];
  services: { service: string; usd: number }[];
  totalUsd: number;
  /** Not AWS: the model providers' bill, from the widgets' `pricing` (undefined where a model has none). */
  model: { widgets: { id: string; model: string; messages: number; usd?: number }[]; totalUsd: number };
  assumptions: string[];
}

const GB = 2 ** 30;
const FUNCTIONS = [...ROUTES, QUOTA_RESET];

/** The session item's size in bytes, averaged over a session's messages, and at its end. */
function sessionItemBytes(inputs: CostInputs, a: Assumed) {
  const perSession = inputs.messages / inputs.sessions;
  const exchange = inputs.answerTokens * a.bytesPerToken + a.questionBytes + a.turnPairOverheadBytes;
  return {
    average: a.sessionItemBaseBytes + (exchange * (perSession + 1)) / 2,
    final: a.sessionItemBaseBytes + exchange * perSession,
  };
}

/** Writes of a message that land on the session item: the claim and the append that releases it. */
const SESSION_ITEM_WRITES = 2;

const count = (requests: Readonly<Record<string, number>>, ...names: string[]) =>
  names.reduce((sum, name) => sum + (requests[name] ?? 0), 0);

/**
 * The monthly AWS bill for a month's traffic: quantities from the measured figures, the
 * functions' memory and the stated assumptions, priced from the table.
 */
export function estimateMonthlyCost(
  inputs: CostInputs,
  shape: StackShape,
  prices: PriceTable,
  figures: CostFigures,
  a: Assumed = ASSUMED,
): CostEstimate {
  const { messages: m, sessions: s, pageViews: p, answerTokens } = inputs;
  const lines: CostLine[] = [];
  const add = (service: string, item: string, quantity: number, price: PriceKey) => {
    const { usd, per } = prices.prices[price];
    lines.push({ service, item, quantity, price, usd: (quantity * usd) / per });
  };
  const message = figures.dynamodbRequests.message;
  const start = figures.dynamodbRequests.sessionStart;
  const config = figures.dynamodbRequests.widgetConfig;
  const own = figures.handlerOwnMs;
  const db = (requests: Readonly<Record<string, number>>) => Object.values(requests).reduce((x, y) => x + y, 0);
  const modelMs = a.modelFirstTokenMs + (answerTokens / a.modelTokensPerSecond) * 1000;

  // Lambda: each function's invocations and billed milliseconds (rounded up per invocation).
  const calls: { fn: string; count: number; ms: number }[] = [
    { fn: 'widget-config', count: p, ms: own + db(config) * a.dynamodbMs },
    { fn: 'sessions', count: s, ms: own + db(start) * a.dynamodbMs },
    { fn: 'sessions', count: s, ms: own }, // preflight
    { fn: 'messages', count: m, ms: own + db(message) * a.dynamodbMs + modelMs },
    { fn: 'messages', count: s, ms: own }, // preflight
    { fn: QUOTA_RESET.name, count: a.quotaResetRunsPerMonth, ms: a.quotaResetMs },
  ];
  const invocations = calls.reduce((sum, c) => sum + c.count, 0);
  add('Lambda', 'requests', invocations, 'lambdaRequest');
  for (const fn of FUNCTIONS) {
    const { memorySize } = functionLimits(fn);
    const gbSeconds = calls
      .filter((c) => c.fn === fn.name)
      .reduce((sum, c) => sum + (c.count * Math.ceil(c.ms) * memorySize) / 1024 / 1000, 0);
    if (gbSeconds > 0) add('Lambda', `${fn.name} (${memorySize} MB) GB-seconds`, gbSeconds, 'lambdaArmGbSecond');
  }

  // DynamoDB on demand.
  const item = sessionItemBytes(inputs, a);
  const sessionWrite = Math.ceil(item.average / 1024);
  const batchRead = 0.5 * (1 + Math.ceil(item.average / 4096)); // the widget item and the session item
  const messageWrites =
    count(message, 'PutItem', 'UpdateItem') - SESSION_ITEM_WRITES + SESSION_ITEM_WRITES * sessionWrite;
  const messageReads = count(message, 'BatchGetItem') * batchRead + count(message, 'GetItem', 'Query');
  add(
    'DynamoDB',
    'write request units',
    m * messageWrites + s * count(start, 'PutItem', 'UpdateItem'),
    'dynamodbWriteUnit',
  );
  add(
    'DynamoDB',
    'read request units',
    m * messageReads + s * count(start, 'GetItem', 'Query') + p * count(config, 'GetItem', 'Query'),
    'dynamodbReadUnit',
  );
  add('DynamoDB', 'session storage GB-month', (s * item.final * shape.retentionDays) / 30 / GB, 'dynamodbStorage');

  // The edge: API requests (with preflights), CloudFront, its viewer-IP function, S3 behind it.
  const apiRequests = p + 3 * s + m;
  add('API Gateway', 'REST requests', apiRequests, 'apiGatewayRestRequest');
  add('CloudFront', 'HTTPS requests', 2 * p + 4 * s + m, 'cloudfrontHttpsRequest');
  add('CloudFront', 'viewer-IP function invocations', apiRequests, 'cloudfrontFunction');
  const h = a.responseHeaderBytes;
  const reply = figures.replyBytes.besidesDeltas + answerTokens * (figures.replyBytes.perDelta + a.bytesPerToken);
  const bytesOut =
    p * (LOADER_GZIP_BUDGET + a.widgetConfigBytes + 2 * h) +
    s * (CHAT_GZIP_BUDGET + a.sessionStartBytes + 4 * h) +
    m * (reply + h);
  add('CloudFront', 'data out GB', bytesOut / GB, 'cloudfrontDataOut');
  const coldStarts = (fn: string) =>
    calls.filter((c) => c.fn === fn).reduce((sum, c) => sum + c.count, 0) * a.coldStartShare;
  const loaderRefetches = Math.min(p, a.regionalEdgeCaches * 12 * 730);
  add('S3', 'GET requests', loaderRefetches + coldStarts('messages'), 's3Get');

  const secrets = 1 + shape.configSecrets;
  add('Secrets Manager', `secrets (${secrets})`, secrets, 'secretsManagerSecret');
  const secretReads = (coldStarts('sessions') + coldStarts('messages')) * secrets;
  add('Secrets Manager', 'API calls', secretReads, 'secretsManagerApiCall');

  const logBytes =
    invocations * (a.requestLogBytes + a.platformLogBytes) + m * a.emfBytesPerMessage + s * a.emfBytesPerSessionStart;
  add('CloudWatch', 'log ingest GB', logBytes / GB, 'cloudwatchLogIngest');
  add('CloudWatch', 'log storage GB-month', ((logBytes / GB) * a.logRetentionDays) / 30, 'cloudwatchLogStorage');
  const active = shape.widgets.filter((w) => w.active);
  const metricsPerWidget = Object.keys(METRIC).length - 1 + a.refusalCodesPerWidget;
  add(
    'CloudWatch',
    `custom metrics (${active.length} widgets × ${metricsPerWidget})`,
    active.length * metricsPerWidget,
    'cloudwatchMetric',
  );
  add('CloudWatch', `alarms (${shape.alarms})`, shape.alarms, 'cloudwatchAlarm');
  add('CloudWatch', 'dashboard', 1, 'cloudwatchDashboard');

  const notifications = a.alarmNotificationsPerMonth;
  add('SNS', 'publishes', notifications, 'snsPublish');
  add('SNS', `email deliveries (${shape.alertEmails} addresses)`, notifications * shape.alertEmails, 'snsEmail');
  if (shape.alertWebhook) add('SNS', 'HTTPS deliveries', notifications, 'snsHttps');

  const services = [...new Set(lines.map((l) => l.service))].map((service) => ({
    service,
    usd: lines.filter((l) => l.service === service).reduce((sum, l) => sum + l.usd, 0),
  }));
  return {
    region: prices.region,
    pricesDate: prices.date,
    measuredOn: figures.measuredOn,
    inputs,
    lines,
    services,
    totalUsd: services.reduce((sum, x) => sum + x.usd, 0),
    model: modelCost(inputs, active),
    assumptions: describeAssumptions(a, answerTokens, inputs.promptTokens),
  };
}

function modelCost(inputs: CostInputs, active: StackShape['widgets']): CostEstimate['model'] {
  const share = active.length > 0 ? inputs.messages / active.length : 0;
  const widgets = active.map(({ id, model, pricing }) => ({
    id,
    model,
    messages: share,
    usd:
      pricing &&
      (share * (inputs.promptTokens * pricing.inputPerMTok + inputs.answerTokens * pricing.outputPerMTok)) / 1e6,
  }));
  return { widgets, totalUsd: widgets.reduce((sum, w) => sum + (w.usd ?? 0), 0) };
}
