import { BatchGetCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { widgetKey, type WidgetRecord } from '../records/table';

/** A stored turn; the map key in `turns` is the turn id. */
export interface Turn {
  id: string;
  role: 'visitor' | 'assistant';
  text: string;
  /** Epoch ms; orders the turns. */
  at: number;
  rating?: 'up' | 'down';
}

/**
 * One item per session, holding its recent turns as a map (turn id → turn): a message reads the
 * widget and the session in one BatchGetItem, and appends with one UpdateItem that cannot race
 * another append (distinct map keys, no list index).
 */
export interface SessionRecord {
  pk: string;
  sk: 'SESSION';
  sessionId: string;
  widgetId: string;
  keyVersion: number;
  origin: string;
  createdAt: number;
  /** Epoch seconds: `retentionDays` after the last turn. */
  expiresAt: number;
  turns: Record<string, Turn>;
}

/** Turns kept per session (oldest dropped first); the prompt uses fewer, within its budget. */
export const MAX_STORED_TURNS = 40;

export const sessionKey = (sessionId: string) => ({ pk: `SESSION#${sessionId}`, sk: 'SESSION' as const });

export const expirySeconds = (now: number, retentionDays: number) => Math.floor(now / 1000) + retentionDays * 86_400;

/** Turns oldest first. */
export function orderedTurns(session: SessionRecord): Turn[] {
  return Object.values(session.turns ?? {}).sort((a, b) => a.at - b.at || (a.role === 'visitor' ? -1 : 1));
}

export interface SessionStore {
  create(session: SessionRecord): Promise<void>;
  find(sessionId: string, now: number): Promise<SessionRecord | undefined>;
  /** Widget and session in one request (the message fast path). */
  findWithWidget(sessionId: string, widgetId: string, now: number): Promise<{ session?: SessionRecord; widget?: WidgetRecord }>;
  appendTurns(session: SessionRecord, turns: Turn[], expiresAt: number): Promise<void>;
  rate(sessionId: string, widgetId: string, messageId: string, rating: 'up' | 'down', now: number): Promise<boolean>;
}

const live = (session: SessionRecord | undefined, now: number) =>
  session && session.expiresAt * 1000 > now ? session : undefined;

export function createSessionStore({ doc, table }: { doc: DynamoDBDocumentClient; table: string }): SessionStore {
  return {
    async create(session) {
      await doc.send(new PutCommand({ TableName: table, Item: session, ConditionExpression: 'attribute_not_exists(pk)' }));
    },
    async find(sessionId, now) {
      const result = await doc.send(new GetCommand({ TableName: table, Key: sessionKey(sessionId) }));
      return live(result.Item as SessionRecord | undefined, now);
    },
    async findWithWidget(sessionId, widgetId, now) {
      const result = await doc.send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: [sessionKey(sessionId), widgetKey(widgetId)] } } }),
      );
      let items = result.Responses?.[table] ?? [];
      const unprocessed = result.UnprocessedKeys?.[table]?.Keys ?? [];
      if (unprocessed.length > 0) {
        // Rare (throttling); fetch the rest one by one rather than fail the visitor's message.
        const rest = await Promise.all(unprocessed.map((Key) => doc.send(new GetCommand({ TableName: table, Key }))));
        items = [...items, ...rest.flatMap((r) => (r.Item ? [r.Item] : []))];
      }
      return {
        session: live(items.find((i) => i.sk === 'SESSION') as SessionRecord | undefined, now),
        widget: items.find((i) => i.sk === 'CONFIG') as WidgetRecord | undefined,
      };
    },
    async appendTurns(session, turns, expiresAt) {
      const names: Record<string, string> = { '#turns': 'turns' };
      const values: Record<string, unknown> = { ':exp': expiresAt };
      const sets = ['expiresAt = :exp'];
      turns.forEach((turn, i) => {
        names[`#t${i}`] = turn.id;
        values[`:t${i}`] = turn;
        sets.push(`#turns.#t${i} = :t${i}`);
      });
      const stale = orderedTurns(session).slice(0, Math.max(0, Object.keys(session.turns).length + turns.length - MAX_STORED_TURNS));
      const removes = stale.map((turn, i) => {
        names[`#r${i}`] = turn.id;
        return `#turns.#r${i}`;
      });
      await doc.send(
        new UpdateCommand({
          TableName: table,
          Key: sessionKey(session.sessionId),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    },
    async rate(sessionId, widgetId, messageId, rating, now) {
      try {
        await doc.send(
          new UpdateCommand({
            TableName: table,
            Key: sessionKey(sessionId),
            UpdateExpression: 'SET #turns.#m.rating = :r',
            ConditionExpression: 'widgetId = :w AND expiresAt > :now AND #turns.#m.#role = :assistant',
            ExpressionAttributeNames: { '#turns': 'turns', '#m': messageId, '#role': 'role' },
            ExpressionAttributeValues: { ':r': rating, ':w': widgetId, ':now': Math.floor(now / 1000), ':assistant': 'assistant' },
          }),
        );
        return true;
      } catch (error) {
        if ((error as Error).name === 'ConditionalCheckFailedException') return false;
        throw error;
      }
    },
  };
}
