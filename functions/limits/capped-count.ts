import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';

/** Where a count lives: the table and the item's key. */
export interface CountedItem {
  doc: DynamoDBDocumentClient;
  table: string;
  key: { pk: string; sk: string };
}

const isConditionFailure = (error: unknown) => (error as Error).name === 'ConditionalCheckFailedException';

/**
 * Adds one to `attribute` unless it already reached `cap`, in one conditional UpdateItem (no read
 * first, so no concurrency passes the cap); `set` fields are written when the item has none yet.
 * False when the cap was reached (nothing written); else the updated attributes' old values
 * (none when this write created the item).
 */
export async function addUnderCap(
  { doc, table, key }: CountedItem,
  attribute: string,
  cap: number,
  set: Record<string, unknown>,
): Promise<false | { old: Record<string, unknown> | undefined }> {
  const names = Object.keys(set);
  try {
    const { Attributes } = await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: key,
        UpdateExpression: `ADD #n :one SET ${names.map((_, i) => `#s${i} = if_not_exists(#s${i}, :s${i})`).join(', ')}`,
        ConditionExpression: 'attribute_not_exists(#n) OR #n < :cap',
        ExpressionAttributeNames: { '#n': attribute, ...Object.fromEntries(names.map((n, i) => [`#s${i}`, n])) },
        ExpressionAttributeValues: {
          ':one': 1,
          ':cap': cap,
          ...Object.fromEntries(names.map((n, i) => [`:s${i}`, set[n]])),
        },
        ReturnValues: 'UPDATED_OLD',
      }),
    );
    return { old: Attributes };
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Gives one back to `attribute`; an item that is gone (expired) has nothing to give back. */
export async function takeBack({ doc, table, key }: CountedItem, attribute: string): Promise<void> {
  try {
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: key,
        UpdateExpression: 'ADD #n :minus',
        ConditionExpression: 'attribute_exists(#n)',
        ExpressionAttributeNames: { '#n': attribute },
        ExpressionAttributeValues: { ':minus': -1 },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}
