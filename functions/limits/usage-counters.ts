import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { listIfFirstOfDay } from '../usage/active-roster';
import { COUNTER_RETENTION_DAYS, counterKey } from '../usage/counter-record';
import { nextUtcMidnight, utcDay } from '../usage/day';
import type { Admission } from './admit-message';

/**
 * Writes the usage figures of DESIGN.md onto the widget's day counter item (session starts are
 * counted by their admission, `admitSessionStart`).
 */
export interface UsageCounters {
  refused(widgetId: string, code: string, now: number): Promise<void>;
  /**
   * Adds a reply's tokens to the day it was admitted on and settles its cost reservation to
   * `costUsd`; resolves to the day's cost after it (still holding concurrent replies' reservations).
   */
  replied(
    admission: Pick<Admission, 'widgetId' | 'day' | 'reservedUsd'>,
    usage: { inputTokens: number; outputTokens: number; costUsd: number },
  ): Promise<number>;
}

const isConditionFailure = (error: unknown) => (error as Error).name === 'ConditionalCheckFailedException';

export function createUsageCounters({ doc, table }: { doc: DynamoDBDocumentClient; table: string }): UsageCounters {
  const baseValues = (widgetId: string, now: number) => ({
    ':w': widgetId,
    ':day': utcDay(now),
    ':exp': Math.floor(nextUtcMidnight(now) / 1000) + COUNTER_RETENTION_DAYS * 86_400,
  });
  const identity = 'widgetId = :w, #day = :day, expiresAt = if_not_exists(expiresAt, :exp)';
  return {
    async refused(widgetId, code, now) {
      const key = counterKey(widgetId, utcDay(now));
      // `refusals` is a map; ADD into it needs the map to exist, and creating it must not race.
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          await doc.send(
            new UpdateCommand({
              TableName: table,
              Key: key,
              UpdateExpression: `SET ${identity} ADD refusals.#code :one`,
              ConditionExpression: 'attribute_exists(refusals)',
              ExpressionAttributeNames: { '#day': 'day', '#code': code },
              ExpressionAttributeValues: { ...baseValues(widgetId, now), ':one': 1 },
            }),
          );
          return;
        } catch (error) {
          if (!isConditionFailure(error)) throw error;
        }
        try {
          const values = baseValues(widgetId, now);
          const { Attributes } = await doc.send(
            new UpdateCommand({
              TableName: table,
              Key: key,
              UpdateExpression: `SET ${identity}, refusals = :first`,
              ConditionExpression: 'attribute_not_exists(refusals)',
              ExpressionAttributeNames: { '#day': 'day' },
              ExpressionAttributeValues: { ...values, ':first': { [code]: 1 } },
              // A refusal may be the day's first write: the roll-up must copy its count.
              ReturnValues: 'UPDATED_OLD',
            }),
          );
          await listIfFirstOfDay(doc, table, { widgetId, day: values[':day'], expiresAt: values[':exp'] }, Attributes);
          return;
        } catch (error) {
          if (!isConditionFailure(error)) throw error;
        }
      }
    },
    async replied({ widgetId, day, reservedUsd }, { inputTokens, outputTokens, costUsd }) {
      const { Attributes } = await doc.send(
        new UpdateCommand({
          TableName: table,
          Key: counterKey(widgetId, day),
          UpdateExpression: 'ADD inputTokens :in, outputTokens :out, costUsd :cost',
          ExpressionAttributeValues: { ':in': inputTokens, ':out': outputTokens, ':cost': costUsd - reservedUsd },
          // The day's cost for the DayCostUsd metric, from this same write.
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(Attributes?.costUsd ?? 0);
    },
  };
}
