import { type DynamoDBDocumentClient, PutCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { type ActiveRosterRecord, activeRosterKey } from './counter-record';

/**
 * Lists the widget under `day` when `old` (an UpdateItem's `UPDATED_OLD` attributes) shows the
 * write just created the day's counter: every creator sets `expiresAt`, so only the first write of
 * the day finds none. One extra request per widget per day; later writes skip it.
 */
export async function listIfFirstOfDay(
  doc: DynamoDBDocumentClient,
  table: string,
  counter: { widgetId: string; day: string; expiresAt: number },
  old: Record<string, unknown> | undefined,
): Promise<void> {
  if (old?.expiresAt !== undefined) return;
  const item: ActiveRosterRecord = {
    ...activeRosterKey(counter.day, counter.widgetId),
    widgetId: counter.widgetId,
    expiresAt: counter.expiresAt,
  };
  await doc.send(new PutCommand({ TableName: table, Item: item }));
}

/** The widgets listed under `day` whose entry has not expired, a page at a time. */
export async function* activeWidgetPages(
  doc: DynamoDBDocumentClient,
  table: string,
  day: string,
  nowMs: number,
  /** Entries per page; DynamoDB's 1 MB pages when absent. */
  pageSize?: number,
): AsyncGenerator<string[]> {
  const pages = paginateQuery(
    { client: doc, pageSize },
    {
      TableName: table,
      KeyConditionExpression: 'pk = :pk',
      ProjectionExpression: 'widgetId, expiresAt',
      ExpressionAttributeValues: { ':pk': activeRosterKey(day, '').pk },
    },
  );
  for await (const page of pages) {
    const items = (page.Items ?? []) as Pick<ActiveRosterRecord, 'widgetId' | 'expiresAt'>[];
    const ids = items.filter((i) => i.expiresAt * 1000 > nowMs).map((i) => i.widgetId);
    if (ids.length > 0) yield ids;
  }
}
