import { type DynamoDBDocumentClient, GetCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { batchGetItems } from '../records/batch';
import { CONVERSATIONS_BY_SUB_INDEX, CONVERSATIONS_INDEX } from '../records/table';
import { type SessionRecord, sessionKey } from '../sessions/session-record';

/** A session's table key, as the KEYS_ONLY conversation indexes return it. */
export interface SessionKey {
  pk: string;
  sk: string;
}

export interface StoredConversationsOptions {
  doc: DynamoDBDocumentClient;
  table: string;
}

/** A few pages at once: a day of 10,000 conversations is 100 round trips otherwise. */
const BATCH_GETS_IN_FLIGHT = 4;

/**
 * Reads the operator's view of stored sessions through the two conversation indexes: the keys
 * of one widget's sessions started in a time range, or of one `sub`'s sessions, then the
 * sessions themselves in BatchGetItem pages. Never a Scan, so a read costs what it returns.
 */
export function createStoredConversations({ doc, table }: StoredConversationsOptions) {
  async function* keyPages(query: {
    IndexName: string;
    KeyConditionExpression: string;
    ExpressionAttributeNames: Record<string, string>;
    ExpressionAttributeValues: Record<string, unknown>;
  }): AsyncGenerator<SessionKey[]> {
    for await (const page of paginateQuery({ client: doc }, { TableName: table, ...query })) {
      const keys = (page.Items ?? [])
        .filter((item) => item.sk === 'SESSION')
        .map((item) => ({ pk: item.pk as string, sk: item.sk as string }));
      if (keys.length > 0) yield keys;
    }
  }

  return {
    /** Keys of `widgetId`'s sessions with `fromMs <= createdAt < toMs`, oldest first. */
    startedBetween(widgetId: string, fromMs: number, toMs: number) {
      return keyPages({
        IndexName: CONVERSATIONS_INDEX,
        KeyConditionExpression: '#w = :w AND #c BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#w': 'widgetId', '#c': 'createdAt' },
        ExpressionAttributeValues: { ':w': widgetId, ':from': fromMs, ':to': toMs - 1 },
      });
    },

    /** Keys of every session of a signed-in `sub`, across widgets. */
    ofSub(sub: string) {
      return keyPages({
        IndexName: CONVERSATIONS_BY_SUB_INDEX,
        KeyConditionExpression: '#s = :s',
        ExpressionAttributeNames: { '#s': 'sub' },
        ExpressionAttributeValues: { ':s': sub },
      });
    },

    /** The sessions for `keys`, in any order; keys whose item is gone (erased, swept) are skipped. */
    read: (keys: readonly SessionKey[]) =>
      batchGetItems<SessionRecord>(
        doc,
        table,
        keys.map(({ pk, sk }) => ({ pk, sk })),
        { inFlight: BATCH_GETS_IN_FLIGHT },
      ),
  };
}

export type StoredConversations = ReturnType<typeof createStoredConversations>;

/** One session by id, strongly consistent; undefined when it is gone or expired. */
export async function findSession(
  { doc, table }: StoredConversationsOptions,
  sessionId: string,
  nowMs: number,
): Promise<SessionRecord | undefined> {
  const result = await doc.send(new GetCommand({ TableName: table, Key: sessionKey(sessionId), ConsistentRead: true }));
  const session = result.Item as SessionRecord | undefined;
  return session && session.expiresAt * 1000 > nowMs ? session : undefined;
}
