import { Writable } from 'node:stream';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { generatePublicKey } from '../../functions/keys/public-key';
import {
  METRIC,
  METRICS_NAMESPACE,
  METRICS_STACK_ENV,
  refusalDimensions,
  widgetDimensions,
} from '../../functions/metrics/metric-names';
import type { CompletionEvent } from '../../functions/providers/model-provider';
import { createDocumentClient } from '../../functions/records/client';
import { FUNCTION_ENV } from '../../functions/routes';
import { dependenciesFromEnvironment } from '../../functions/wiring/dependencies';
import { createMessagesFunction } from '../../functions/wiring/messages';
import { createSessionsFunction } from '../../functions/wiring/sessions';
import { validateConfig } from '../../infra/config/load';
import { resolveConfig } from '../../infra/config/resolve';
import { ensureTable, type LocalDatabase, localSdkEnvironment, startLocalDatabase } from '../../infra/local/database';
import { installLambdaGlobals, localContext } from '../../infra/local/lambda-runtime';
import { widgetRecords } from '../../infra/state/desired';
import { parseSse } from '../api/clocked-perch';
import { proxyEventFixture } from '../fixtures/proxy-event';
import { captureStdout, type EmfRecord } from './emf-capture';

// The functions as a Lambda builds them (dependenciesFromEnvironment, with the stack name Pulumi
// sets), called in-process with proxy events; the model is scripted, so its usage and timing are known.
type BufferedHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
type StreamingHandler = (event: APIGatewayProxyEvent, stream: Writable, context: Context) => Promise<void>;

const ORIGIN = 'https://docs.example.com'; // the fixture's Origin
const STACK = 'prod';
const WIDGET = 'docs-bot';
const PUBLIC_KEY = generatePublicKey();
const PRICING = { inputPerMTok: 1000, outputPerMTok: 2000 };
const T0 = Date.UTC(2026, 11, 2, 12, 0, 0);
let clock = T0;
let database: LocalDatabase;
let sessions: BufferedHandler;
let messages: StreamingHandler;
/** What the model does in the current test. */
let script: () => AsyncIterable<CompletionEvent>;
let stdout: ReturnType<typeof captureStdout>;

beforeAll(async () => {
  database = await startLocalDatabase();
  const table = 'perch-metrics';
  await ensureTable(database.client, table);
  const config = resolveConfig(
    validateConfig({
      models: { local: { provider: 'faq' } },
      widgets: { [WIDGET]: { name: 'Docs', model: 'local', allowedOrigins: [ORIGIN] } },
    }),
    'local',
  );
  const doc = createDocumentClient(database.client);
  const key = { incarnation: 'i-1', current: { publicKey: PUBLIC_KEY, version: 0 }, retired: [] };
  for (const Item of widgetRecords(config.widgets[0]!, key)) await doc.send(new PutCommand({ TableName: table, Item }));
  Object.assign(process.env, localSdkEnvironment(database.endpoint, table), {
    [FUNCTION_ENV.sessionSecret]: 'metrics-test-secret-0123456789abcdef',
    [METRICS_STACK_ENV]: STACK,
  });
  installLambdaGlobals();
  const deps = { ...dependenciesFromEnvironment(), now: () => clock };
  sessions = createSessionsFunction(deps) as unknown as BufferedHandler;
  const provider = { complete: () => script() };
  const resolveProvider = async () => ({ ready: true as const, provider, maxOutputTokens: 100, pricing: PRICING });
  messages = createMessagesFunction(deps, { resolveProvider }) as StreamingHandler;
});
afterAll(async () => {
  delete process.env[METRICS_STACK_ENV];
  await database.close();
});
beforeEach(() => {
  stdout = captureStdout();
  script = async function* () {
    clock += 250; // the model takes a quarter second to its first token
    yield { type: 'delta', text: 'Raise ' };
    clock += 100;
    yield { type: 'delta', text: 'keyRotation.' };
    yield { type: 'usage', inputTokens: 30, outputTokens: 4 };
  };
});
afterEach(() => stdout.restore());

class CapturedResponse extends Writable {
  prelude: { statusCode?: number } = {};
  body = '';
  setPrelude(prelude: { statusCode?: number }) {
    this.prelude = prelude;
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void) {
    this.body += chunk.toString();
    done();
  }
}

function sessionEvent(body: unknown, origin = ORIGIN): APIGatewayProxyEvent {
  const event = proxyEventFixture();
  Object.assign(event, { resource: '/v1/sessions', path: '/v1/sessions', pathParameters: null });
  event.body = JSON.stringify(body);
  event.headers.origin = origin;
  event.multiValueHeaders.origin = [origin];
  delete event.headers.authorization;
  return event;
}

async function startSession(body: Record<string, unknown> = {}, origin = ORIGIN) {
  const result = await sessions(sessionEvent({ key: PUBLIC_KEY, ...body }, origin), localContext('sessions'));
  return { status: result.statusCode, body: JSON.parse(result.body) as { sessionId: string; token: string } };
}

async function sendMessage(session: { sessionId: string; token: string }, text: string) {
  const event = proxyEventFixture();
  Object.assign(event, {
    path: `/v1/sessions/${session.sessionId}/messages`,
    pathParameters: { sessionId: session.sessionId },
    body: JSON.stringify({ text }),
  });
  event.headers.authorization = `Bearer ${session.token}`;
  const response = new CapturedResponse();
  await messages(event, response, localContext('messages'));
  return parseSse(response.body).map((e) => e.event);
}

/** A record's metrics by name, with their units and values, and its dimension set with the values. */
const summary = (record: EmfRecord) => {
  const [directive] = record._aws.CloudWatchMetrics;
  const dimensions = Object.fromEntries(directive!.Dimensions[0]!.map((name) => [name, record[name]]));
  return {
    namespace: directive!.Namespace,
    dimensionSets: directive!.Dimensions.length,
    dimensions,
    metrics: Object.fromEntries(
      directive!.Metrics.map(({ Name, Unit }) => [Name, { unit: Unit, value: record[Name] }]),
    ),
  };
};

test('an answered message emits one EMF record: count, tokens, cost, day cost and time to first token', async () => {
  const session = (await startSession()).body;
  stdout.clear();

  expect(await sendMessage(session, 'How do I rotate the key?')).toEqual(['delta', 'delta', 'done']);

  const records = stdout.records().map(summary);
  expect(records).toEqual([
    {
      namespace: METRICS_NAMESPACE,
      dimensionSets: 1,
      dimensions: widgetDimensions(STACK, WIDGET),
      metrics: {
        [METRIC.messages]: { unit: 'Count', value: 1 },
        [METRIC.inputTokens]: { unit: 'Count', value: 30 },
        [METRIC.outputTokens]: { unit: 'Count', value: 4 },
        [METRIC.costUsd]: { unit: 'None', value: expect.closeTo(0.038, 9) },
        [METRIC.dayCostUsd]: { unit: 'None', value: expect.any(Number) },
        [METRIC.timeToFirstTokenMs]: { unit: 'Milliseconds', value: 250 },
      },
    },
  ]);
});

test("DayCostUsd is the widget's cost so far today, read back from the settling write", async () => {
  const session = (await startSession()).body;
  await sendMessage(session, 'first');
  const before = stdout.records().at(-1)![METRIC.dayCostUsd] as number;

  await sendMessage(session, 'second');

  expect(stdout.records().at(-1)![METRIC.dayCostUsd]).toBeCloseTo(before + 0.038, 9);
});

test('a new session emits SessionStarts for its widget; a resume emits nothing', async () => {
  const started = await startSession();

  const resumed = await startSession({ resume: started.body.token });

  expect([started.status, resumed.status]).toEqual([201, 201]);
  expect(resumed.body.sessionId).toBe(started.body.sessionId);
  expect(stdout.records().map(summary)).toEqual([
    {
      namespace: METRICS_NAMESPACE,
      dimensionSets: 1,
      dimensions: widgetDimensions(STACK, WIDGET),
      metrics: { [METRIC.sessionStarts]: { unit: 'Count', value: 1 } },
    },
  ]);
});

test('a refusal emits Refusals with its code as a dimension (a session start from a foreign origin)', async () => {
  const refused = await startSession({}, 'https://evil.example.net');

  expect(refused.status).toBe(403);
  expect(stdout.records().map(summary)).toEqual([
    {
      namespace: METRICS_NAMESPACE,
      dimensionSets: 1,
      dimensions: refusalDimensions(STACK, WIDGET, 'widget_origin_denied'),
      metrics: { [METRIC.refusals]: { unit: 'Count', value: 1 } },
    },
  ]);
});

test('an upstream failure emits UpstreamErrors and the upstream_error refusal, and no Messages', async () => {
  const session = (await startSession()).body;
  stdout.clear();
  // biome-ignore lint/correctness/useYield: the upstream fails before it says anything
  script = async function* () {
    throw new Error('503 from the model');
  };

  expect(await sendMessage(session, 'rotate?')).toEqual(['error']);

  expect(stdout.records().map(summary)).toEqual([
    {
      namespace: METRICS_NAMESPACE,
      dimensionSets: 1,
      dimensions: widgetDimensions(STACK, WIDGET),
      metrics: { [METRIC.upstreamErrors]: { unit: 'Count', value: 1 } },
    },
    {
      namespace: METRICS_NAMESPACE,
      dimensionSets: 1,
      dimensions: refusalDimensions(STACK, WIDGET, 'upstream_error'),
      metrics: { [METRIC.refusals]: { unit: 'Count', value: 1 } },
    },
  ]);
});

test('without the stack name a function emits no metrics (every alarm selects on it)', async () => {
  delete process.env[METRICS_STACK_ENV];
  try {
    expect(dependenciesFromEnvironment().metrics).toBeUndefined();
  } finally {
    process.env[METRICS_STACK_ENV] = STACK;
  }
});
