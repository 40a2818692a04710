import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { type KeyRecord, publicKeyKey, type WidgetRecord, widgetKey } from '../records/table';

/** Read access to the widget records the reconciler writes. */
export interface WidgetStore {
  findWidget(widgetId: string): Promise<WidgetRecord | undefined>;
  findKey(publicKey: string): Promise<KeyRecord | undefined>;
}

export function createWidgetStore({ doc, table }: { doc: DynamoDBDocumentClient; table: string }): WidgetStore {
  return {
    async findWidget(widgetId) {
      const result = await doc.send(new GetCommand({ TableName: table, Key: widgetKey(widgetId) }));
      return result.Item as WidgetRecord | undefined;
    },
    async findKey(publicKey) {
      const result = await doc.send(new GetCommand({ TableName: table, Key: publicKeyKey(publicKey) }));
      return result.Item as KeyRecord | undefined;
    },
  };
}
