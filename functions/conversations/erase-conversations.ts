import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { signedInItemKey, signedInKey } from '../identity/signed-in-sessions';
import { type SessionRecord, sessionKey } from '../sessions/session-record';
import { listCandidates } from '../usage/report';
import { createStoredConversations } from './stored-conversations';

/** One deleted item, named for the operator's record of the erasure. */
export interface ErasedItem {
  pk: string;
  sk: string;
  /** `conversation` (turns, sources, ratings, `sub`) or `signed-in pointer` (a digest of the `sub`). */
  holds: 'conversation' | 'signed-in pointer';
  sessionId: string;
  widgetId?: string;
  turnCount?: number;
}

export interface EraseOptions {
  doc: DynamoDBDocumentClient;
  table: string;
  now?: () => number;
}

/**
 * Erasure on request (DESIGN.md § Operators' conversations): deletes a conversation, or every
 * conversation of a signed-in `sub`, with every item that holds its text or identity: the
 * session item (turns, sources, ratings, `sub`) and the signed-in pointer. Expired sessions
 * that TTL has not removed yet are erased too. Usage counters stay: they hold counts only.
 * Returns what it deleted; run again, it deletes nothing. A reply still streaming when its
 * session is erased cannot bring it back: every session write is conditional on the item.
 */
export function createEraser({ doc, table, now = Date.now }: EraseOptions) {
  async function deleteItem(key: { pk: string; sk: string }): Promise<Record<string, unknown> | undefined> {
    const result = await doc.send(new DeleteCommand({ TableName: table, Key: key, ReturnValues: 'ALL_OLD' }));
    return result.Attributes;
  }

  async function eraseSessionItem(sessionId: string): Promise<ErasedItem[]> {
    const old = (await deleteItem(sessionKey(sessionId))) as SessionRecord | undefined;
    if (!old) return [];
    const { widgetId, turns } = old;
    return [
      {
        ...sessionKey(sessionId),
        holds: 'conversation',
        sessionId,
        widgetId,
        turnCount: Object.keys(turns ?? {}).length,
      },
    ];
  }

  async function erasePointer(key: { pk: string; sk: string }, sessionId: string, widgetId: string) {
    const old = await deleteItem(key);
    return old ? [{ ...key, holds: 'signed-in pointer' as const, sessionId, widgetId }] : [];
  }

  async function eraseStoredSession(session: SessionRecord): Promise<ErasedItem[]> {
    const { sessionId, widgetId, sub, createdAt } = session;
    const erased = await eraseSessionItem(sessionId);
    if (sub === undefined) return erased;
    return [
      ...erased,
      ...(await erasePointer(signedInItemKey({ widgetId, sub, createdAt, sessionId }), sessionId, widgetId)),
    ];
  }

  /** The pointers left under one widget's partition for `sub`, and the sessions they name. */
  async function erasePointers(widgetId: string, sub: string): Promise<ErasedItem[]> {
    const erased: ErasedItem[] = [];
    const pages = paginateQuery(
      { client: doc },
      {
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': signedInKey(widgetId, sub) },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) {
      for (const pointer of page.Items ?? []) {
        const sessionId = pointer.sessionId as string;
        erased.push(...(await eraseSessionItem(sessionId)));
        erased.push(...(await erasePointer({ pk: pointer.pk, sk: pointer.sk }, sessionId, widgetId)));
      }
    }
    return erased;
  }

  return {
    /** Erases one conversation by its session id. */
    async eraseSession(sessionId: string): Promise<ErasedItem[]> {
      const found = await doc.send(
        new GetCommand({ TableName: table, Key: sessionKey(sessionId), ConsistentRead: true }),
      );
      return found.Item ? eraseStoredSession(found.Item as SessionRecord) : [];
    },

    /**
     * Erases every conversation of `sub` (only `widgetId`'s when given): those the
     * `conversations-by-sub` index finds, then whatever the widgets' signed-in pointers still
     * name (strongly consistent, so a session started a moment ago is not missed).
     */
    async eraseIdentity(sub: string, { widgetId }: { widgetId?: string } = {}): Promise<ErasedItem[]> {
      const erased: ErasedItem[] = [];
      const stored = createStoredConversations({ doc, table });
      const widgets = new Set<string>();
      for await (const keys of stored.ofSub(sub)) {
        for (const session of await stored.read(keys)) {
          if (session.sub !== sub || (widgetId !== undefined && session.widgetId !== widgetId)) continue;
          widgets.add(session.widgetId);
          erased.push(...(await eraseStoredSession(session)));
        }
      }
      if (widgetId !== undefined) widgets.add(widgetId);
      else for (const id of (await listCandidates(doc, table, now(), [])).keys()) widgets.add(id);
      for (const id of widgets) erased.push(...(await erasePointers(id, sub)));
      return erased;
    },
  };
}
