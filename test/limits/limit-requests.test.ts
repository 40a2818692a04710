import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { admitMessage } from '../../functions/limits/admit-message';
import { windowCaps } from '../../functions/limits/sliding-window';
import { createUsageCounters } from '../../functions/limits/usage-counters';
import { createDocumentClient } from '../../functions/records/client';
import { counterKey, visitorCounterKey } from '../../functions/usage/counter-record';

// How many DynamoDB requests the limits cost, on DynamoDB's own behaviour (a failed condition
// returns the item with ReturnValuesOnConditionCheckFailure). The point is the call counts.
const documentMock = mockClient(DynamoDBDocumentClient);
const doc = createDocumentClient(new DynamoDBClient({ region: 'us-east-1' }));
const table = 'perch';
const NOW = Date.UTC(2026, 10, 24, 12, 0, 30);
const MINUTE = Math.floor(NOW / 60_000);
const LIMITS = { perMinute: 10, perDay: 200 };

const conditionFailed = (item?: Record<string, unknown>) =>
  new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: {},
    Item: item && marshall(item),
  });
const counter = (fields: Record<string, unknown>) => ({
  ...counterKey('docs-bot', '2026-11-24'),
  widgetId: 'docs-bot',
  day: '2026-11-24',
  ...fields,
});
const admit = (limits: typeof LIMITS & { perVisitorPerDay?: number } = LIMITS) =>
  admitMessage({ doc, table, widgetId: 'docs-bot', limits, visitor: 'v1', now: NOW });
const requests = () => documentMock.calls().map((call) => (call.args[0] as object).constructor.name);

beforeEach(() => documentMock.reset());

test('a message inside the current minute costs one conditional UpdateItem', async () => {
  documentMock.on(UpdateCommand).resolves({});

  await admit();

  expect(requests()).toEqual(['UpdateCommand']);
  const input = documentMock.commandCalls(UpdateCommand)[0]!.args[0].input;
  expect(input.Key).toEqual(counterKey('docs-bot', '2026-11-24'));
  expect(input.ConditionExpression).toBe(
    '#minute = :m AND cur < caps[30] AND (attribute_not_exists(messages) OR messages < :perDay)',
  );
});

test('the first message of a minute costs one more conditional write, carrying the old minute into prev', async () => {
  documentMock
    .on(UpdateCommand)
    .rejectsOnce(
      conditionFailed(counter({ minute: MINUTE - 1, cur: 4, prev: 0, caps: windowCaps(10, 0), messages: 9 })),
    )
    .resolves({});

  await admit();

  expect(requests()).toEqual(['UpdateCommand', 'UpdateCommand']);
  const rollover = documentMock.commandCalls(UpdateCommand)[1]!.args[0].input;
  expect(rollover.ConditionExpression).toMatch(/^#minute = :oldMinute AND/);
  expect(rollover.ExpressionAttributeValues).toMatchObject({
    ':m': MINUTE,
    ':oldMinute': MINUTE - 1,
    ':prev': 4,
    ':caps': windowCaps(10, 4),
  });
});

test('a full window is refused after the one failed write, without reading the counter', async () => {
  documentMock
    .on(UpdateCommand)
    .rejects(conditionFailed(counter({ minute: MINUTE, cur: 10, caps: windowCaps(10, 0), messages: 10 })));

  await expect(admit()).rejects.toMatchObject({ code: 'widget_rate_limit' });
  expect(requests()).toEqual(['UpdateCommand']);
});

test('perVisitorPerDay adds one conditional UpdateItem on the visitor item, before the widget counter', async () => {
  documentMock.on(UpdateCommand).resolves({});

  await admit({ ...LIMITS, perVisitorPerDay: 5 });

  const keys = documentMock.commandCalls(UpdateCommand).map((call) => call.args[0].input.Key);
  expect(keys).toEqual([visitorCounterKey('docs-bot', 'v1', '2026-11-24'), counterKey('docs-bot', '2026-11-24')]);
});

test.each([
  ['at noon', NOW, ['UpdateCommand', 'GetCommand', 'UpdateCommand', 'PutCommand']],
  [
    "in a day's first minute (also reads yesterday's last minute)",
    Date.UTC(2026, 10, 24, 0, 0, 30),
    ['UpdateCommand', 'GetCommand', 'GetCommand', 'UpdateCommand', 'PutCommand'],
  ],
])(
  'with no counter item yet, %s: the failed write returns nothing, so the item is read, rolled over, the day listed',
  async (_when, now, expected) => {
    documentMock.on(UpdateCommand).rejectsOnce(conditionFailed()).resolves({});
    documentMock.on(GetCommand).resolves({});

    await admitMessage({ doc, table, widgetId: 'docs-bot', limits: LIMITS, now });

    expect(requests()).toEqual(expected);
  },
);

describe('usage counters', () => {
  const counters = createUsageCounters({ doc, table });

  test('a refusal is one UpdateItem once the day has a refusals map, two for the first', async () => {
    documentMock.on(UpdateCommand).resolves({});
    await counters.refused('docs-bot', 'widget_rate_limit', NOW);
    expect(requests()).toEqual(['UpdateCommand']);

    documentMock.reset();
    documentMock.on(UpdateCommand).rejectsOnce(conditionFailed()).resolves({});
    await counters.refused('docs-bot', 'widget_rate_limit', NOW);
    // No old attributes come back, as when the refusal creates the day's counter: it lists the day.
    expect(requests()).toEqual(['UpdateCommand', 'UpdateCommand', 'PutCommand']);
    expect(documentMock.commandCalls(UpdateCommand)[1]!.args[0].input.ExpressionAttributeValues).toMatchObject({
      ':first': { widget_rate_limit: 1 },
    });
  });

  test(
    "a reply's usage is one UpdateItem on the day it was admitted, " + 'settling its reservation to its cost',
    async () => {
      documentMock.on(UpdateCommand).resolves({});
      await counters.replied(
        { widgetId: 'docs-bot', day: '2026-11-23', reservedUsd: 0.25 },
        { inputTokens: 12, outputTokens: 34, costUsd: 0.5 },
      );
      expect(documentMock.commandCalls(UpdateCommand).map((c) => c.args[0].input)).toEqual([
        expect.objectContaining({
          Key: counterKey('docs-bot', '2026-11-23'),
          ExpressionAttributeValues: { ':in': 12, ':out': 34, ':cost': 0.25 },
        }),
      ]);
    },
  );
});
