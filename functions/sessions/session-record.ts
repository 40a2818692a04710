import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { KnowledgeSource } from '../knowledge/passage';
import { FIRST_INCARNATION, type WidgetRecord, widgetKey } from '../records/table';

/** A stored turn; the map key in `turns` is the turn id. */
export interface Turn {
  id: string;
  role: 'visitor' | 'assistant';
  text: string;
  /** Epoch ms; orders the turns. */
  at: number;
  rating?: 'up' | 'down';
  /** An answer's sources, most relevant first (absent when it had none). */
  sources?: KnowledgeSource[];
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
  /** The widget's incarnation at creation; absent on sessions written before incarnations. */
  incarnation?: string;
  createdAt: number;
  /** The signed-in visitor's `sub`; absent on an anonymous session. */
  sub?: string;
  /** Epoch seconds: `retentionDays` after the last turn. */
  expiresAt: number;
  turns: Record<string, Turn>;
  /** The message being answered, if any, and until when (epoch ms) it holds the session. */
  pendingReply?: string;
  pendingUntil?: number;
}

/** Turns kept per session (oldest dropped first); the prompt uses fewer, within its budget. */
export const MAX_STORED_TURNS = 40;
/** Text kept per session, well inside DynamoDB's 400 KB item limit (oldest turns dropped first). */
export const MAX_STORED_TEXT_BYTES = 300_000;
/** A single stored turn's text; a longer answer is kept truncated (the visitor saw it whole). */
export const MAX_TURN_TEXT_BYTES = 100_000;

// A turn's sources count too: they share the item with the text.
const textBytes = (turn: Turn) =>
  Buffer.byteLength(turn.text, 'utf8') + (turn.sources ? Buffer.byteLength(JSON.stringify(turn.sources), 'utf8') : 0);

function truncateText(text: string, maxBytes: number): string {
  let kept = text;
  while (Buffer.byteLength(kept, 'utf8') > maxBytes - 3) kept = kept.slice(0, Math.floor(kept.length * 0.9));
  return kept === text ? text : `${kept}…`;
}

/** True when the session was made by this widget, not by an earlier one declared under its id. */
export const ofWidget = (session: SessionRecord, widget: WidgetRecord) =>
  session.widgetId === widget.widgetId &&
  (session.incarnation ?? FIRST_INCARNATION) === (widget.incarnation ?? FIRST_INCARNATION);

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
  findWithWidget(
    sessionId: string,
    widgetId: string,
    now: number,
  ): Promise<{ session?: SessionRecord; widget?: WidgetRecord }>;
  /**
   * Takes the session for one reply until `until` (one message at a time, so the transcript caps
   * hold under concurrency) and returns it as it is now; undefined while another reply holds it.
   */
  claim(sessionId: string, reply: string, now: number, until: number): Promise<SessionRecord | undefined>;
  /** Gives the session back without storing turns (the reply failed or the visitor left). */
  release(sessionId: string, reply: string): Promise<void>;
  /** Stores a claimed reply's turns, dropping the oldest to stay within the caps, and releases it. */
  appendTurns(session: SessionRecord, reply: string, turns: Turn[], expiresAt: number): Promise<void>;
  rate(sessionId: string, widgetId: string, messageId: string, rating: 'up' | 'down', now: number): Promise<boolean>;
}

const isConditionFailure = (error: unknown) => (error as Error).name === 'ConditionalCheckFailedException';

const live = (session: SessionRecord | undefined, now: number) =>
  session && session.expiresAt * 1000 > now ? session : undefined;

export function createSessionStore({ doc, table }: { doc: DynamoDBDocumentClient; table: string }): SessionStore {
  return {
    async create(session) {
      await doc.send(
        new PutCommand({ TableName: table, Item: session, ConditionExpression: 'attribute_not_exists(pk)' }),
      );
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
    async claim(sessionId, reply, now, until) {
      try {
        const result = await doc.send(
          new UpdateCommand({
            TableName: table,
            Key: sessionKey(sessionId),
            UpdateExpression: 'SET pendingReply = :reply, pendingUntil = :until',
            ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(pendingUntil) OR pendingUntil < :now)',
            ExpressionAttributeValues: { ':reply': reply, ':until': until, ':now': now },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return result.Attributes as SessionRecord;
      } catch (error) {
        if (isConditionFailure(error)) return undefined;
        throw error;
      }
    },
    async release(sessionId, reply) {
      await doc
        .send(
          new UpdateCommand({
            TableName: table,
            Key: sessionKey(sessionId),
            UpdateExpression: 'REMOVE pendingReply, pendingUntil',
            ConditionExpression: 'pendingReply = :reply',
            ExpressionAttributeValues: { ':reply': reply },
          }),
        )
        .catch((error: unknown) => {
          if (!isConditionFailure(error)) throw error;
        });
    },
    async appendTurns(session, reply, newTurns, expiresAt) {
      const turns = newTurns.map((turn) => ({ ...turn, text: truncateText(turn.text, MAX_TURN_TEXT_BYTES) }));
      const names: Record<string, string> = { '#turns': 'turns' };
      const values: Record<string, unknown> = { ':exp': expiresAt, ':reply': reply };
      const sets = ['expiresAt = :exp'];
      turns.forEach((turn, i) => {
        names[`#t${i}`] = turn.id;
        values[`:t${i}`] = turn;
        sets.push(`#turns.#t${i} = :t${i}`);
      });
      // Drop the oldest stored turns until both the count and the text size fit. `session` is the
      // claimed snapshot, and only the claim's holder appends, so the trim is not computed on stale turns.
      const kept = orderedTurns(session);
      let count = kept.length + turns.length;
      let bytes = [...kept, ...turns].reduce((sum, turn) => sum + textBytes(turn), 0);
      const stale: Turn[] = [];
      while (kept.length > 0 && (count > MAX_STORED_TURNS || bytes > MAX_STORED_TEXT_BYTES)) {
        const oldest = kept.shift()!;
        stale.push(oldest);
        count -= 1;
        bytes -= textBytes(oldest);
      }
      const removes = ['pendingReply', 'pendingUntil'];
      stale.forEach((turn, i) => {
        names[`#r${i}`] = turn.id;
        removes.push(`#turns.#r${i}`);
      });
      await doc.send(
        new UpdateCommand({
          TableName: table,
          Key: sessionKey(session.sessionId),
          UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
          ConditionExpression: 'pendingReply = :reply',
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
            ExpressionAttributeValues: {
              ':r': rating,
              ':w': widgetId,
              ':now': Math.floor(now / 1000),
              ':assistant': 'assistant',
            },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },
  };
}
