import { createHash } from 'node:crypto';
import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';

/**
 * Where a signed-in visitor's sessions are found again (the same `sub` on another device, and
 * erasure by `sub`): one small item per session under the widget and a digest of the `sub`,
 * sorted by creation, so the latest is one Query of one item. The item holds no text and not
 * the `sub` itself; it expires with the session's first retention period.
 */
export const signedInKey = (widgetId: string, sub: string) =>
  `IDENTITY#${widgetId}#${createHash('sha256').update(sub, 'utf8').digest('base64url')}`;

const sortKey = (createdAt: number, sessionId: string) => `AT#${String(createdAt).padStart(15, '0')}#${sessionId}`;

/** The key of one session's item, derived from the session itself (erasure deletes it by key). */
export const signedInItemKey = ({ widgetId, sub, createdAt, sessionId }: Omit<SignedInSession, 'expiresAt'>) => ({
  pk: signedInKey(widgetId, sub),
  sk: sortKey(createdAt, sessionId),
});

export interface SignedInSession {
  widgetId: string;
  sub: string;
  sessionId: string;
  createdAt: number;
  /** Epoch seconds, the TTL attribute. */
  expiresAt: number;
}

export interface SignedInSessions {
  remember(session: SignedInSession): Promise<void>;
  /** The id of the visitor's most recently started session of this widget (the caller checks it is live). */
  latest(widgetId: string, sub: string): Promise<string | undefined>;
}

export function createSignedInSessions({ doc, table }: { doc: DynamoDBDocumentClient; table: string }) {
  return {
    async remember({ widgetId, sub, sessionId, createdAt, expiresAt }) {
      await doc.send(
        new PutCommand({
          TableName: table,
          Item: { ...signedInItemKey({ widgetId, sub, createdAt, sessionId }), sessionId, expiresAt },
        }),
      );
    },
    async latest(widgetId, sub) {
      const result = await doc.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :at)',
          ExpressionAttributeValues: { ':pk': signedInKey(widgetId, sub), ':at': 'AT#' },
          ScanIndexForward: false,
          Limit: 1,
        }),
      );
      return result.Items?.[0]?.sessionId as string | undefined;
    },
  } satisfies SignedInSessions;
}
