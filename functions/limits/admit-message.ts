import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { PerchError } from '../errors/perch-error';
import type { WidgetLimits } from '../records/table';
import { listIfFirstOfDay } from '../usage/active-roster';
import { COUNTER_RETENTION_DAYS, type CounterRecord, counterKey, visitorCounterKey } from '../usage/counter-record';
import { nextUtcMidnight, utcDay } from '../usage/day';
import { addUnderCap, takeBack } from './capped-count';
import { epochMinute, secondOfMinute, secondsUntilAdmitted, windowCaps } from './sliding-window';

export interface AdmitMessageOptions {
  doc: DynamoDBDocumentClient;
  table: string;
  widgetId: string;
  limits: WidgetLimits;
  /** Salted hash of the visitor's IP; only used with `perVisitorPerDay`. */
  visitor?: string;
  now: number;
  /**
   * The message's worst-case cost in USD (its estimated prompt plus `maxOutputTokens`), added to
   * the day's cost by the admitting write so concurrent messages cannot pass `dailyBudgetUsd`
   * together; the reply settles it to the real cost.
   */
  reserveUsd?: number;
}

/** An admitted message: what to give back if the reply fails upstream. */
export interface Admission {
  widgetId: string;
  day: string;
  minute: number;
  visitor?: string;
  /** Added to the day's cost at admission; settling the reply replaces it with the real cost. */
  reservedUsd: number;
}

const MAX_ATTEMPTS = 4;

const retryAfterMidnight = (now: number) => String(Math.max(1, Math.ceil((nextUtcMidnight(now) - now) / 1000)));

const isConditionFailure = (error: unknown): error is Error & { Item?: Record<string, AttributeValue> } =>
  (error as Error).name === 'ConditionalCheckFailedException';

const counterExpiry = (now: number) => Math.floor(nextUtcMidnight(now) / 1000) + COUNTER_RETENTION_DAYS * 86_400;

/**
 * Admits one visitor message against every limit with single-item conditional updates — no
 * read-then-write, no transactions — so no concurrency admits more than a limit: one request
 * on the fast path, two at a minute boundary, plus one for a per-visitor cap, plus the day
 * roster entry when this message creates the widget's day counter. Refusals write
 * nothing and throw the PerchError of DESIGN.md with Retry-After.
 */
export async function admitMessage(options: AdmitMessageOptions): Promise<Admission> {
  const { limits, visitor, reserveUsd = 0 } = options;
  const day = utcDay(options.now);
  if (limits.dailyBudgetUsd !== undefined && reserveUsd > limits.dailyBudgetUsd) {
    throw new PerchError('budget_exhausted');
  }
  if (limits.perVisitorPerDay !== undefined && visitor)
    await admitVisitor(options, visitor, day, limits.perVisitorPerDay);
  try {
    const minute = await admitWidget(options, day);
    const counted = limits.perVisitorPerDay !== undefined ? visitor : undefined;
    return { widgetId: options.widgetId, day, minute, visitor: counted, reservedUsd: reserveUsd };
  } catch (error) {
    if (limits.perVisitorPerDay !== undefined && visitor)
      await releaseVisitor(options.doc, options.table, options.widgetId, visitor, day);
    throw error;
  }
}

async function admitVisitor(
  { doc, table, widgetId, now }: AdmitMessageOptions,
  visitor: string,
  day: string,
  cap: number,
) {
  const key = visitorCounterKey(widgetId, visitor, day);
  if (!(await addUnderCap({ doc, table, key }, 'messages', cap, { expiresAt: counterExpiry(now) }))) {
    throw new PerchError('visitor_daily_cap_exceeded', { headers: { 'Retry-After': retryAfterMidnight(now) } });
  }
}

const releaseVisitor = (doc: DynamoDBDocumentClient, table: string, widgetId: string, visitor: string, day: string) =>
  takeBack({ doc, table, key: visitorCounterKey(widgetId, visitor, day) }, 'messages');

// Conditions shared by both paths: the day cap and the budget: the cost so far below it, and
// within it once this message's reservation is added (expressions cannot add, so the client does).
function dayConditions({ limits, reserveUsd = 0 }: AdmitMessageOptions, values: Record<string, unknown>): string[] {
  values[':perDay'] = limits.perDay;
  values[':reserve'] = reserveUsd;
  const conditions = ['(attribute_not_exists(messages) OR messages < :perDay)'];
  if (limits.dailyBudgetUsd !== undefined) {
    values[':budget'] = limits.dailyBudgetUsd;
    values[':budgetLeft'] = limits.dailyBudgetUsd - reserveUsd;
    conditions.push('(attribute_not_exists(costUsd) OR (costUsd < :budget AND costUsd <= :budgetLeft))');
  }
  return conditions;
}

async function admitWidget(options: AdmitMessageOptions, day: string): Promise<number> {
  const { doc, table, widgetId, limits, now } = options;
  const key = counterKey(widgetId, day);
  const minute = epochMinute(now);
  const second = secondOfMinute(now);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    // Fast path: the item already tracks this minute.
    const values: Record<string, unknown> = { ':one': 1, ':m': minute };
    const conditions = ['#minute = :m', `cur < caps[${second}]`, ...dayConditions(options, values)];
    let old: CounterRecord | undefined;
    try {
      await doc.send(
        new UpdateCommand({
          TableName: table,
          Key: key,
          UpdateExpression: 'ADD cur :one, messages :one, costUsd :reserve',
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: { '#minute': 'minute' },
          ExpressionAttributeValues: values,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return minute;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // DynamoDB returns the item that failed the condition; dynalite does not (and neither does
      // DynamoDB when there is no item): read it then. Only the choice of refusal depends on it.
      old = error.Item ? (unmarshall(error.Item) as CounterRecord) : await readCounter(doc, table, key);
    }
    refuseIfOverDay(options, old);
    if (old?.minute === minute) {
      // Read after the failure: another caller may have started this minute since our write
      // failed on the old one. Only a full window is a refusal; otherwise try again.
      if ((old.cur ?? 0) < (old.caps?.[second] ?? 0)) continue;
      throw new PerchError('widget_rate_limit', {
        headers: {
          'Retry-After': String(secondsUntilAdmitted(old.caps ?? [], old.cur ?? 0, second, limits.perMinute)),
        },
      });
    }
    if (await rollOverMinute(options, day, old)) return minute;
  }
  throw new PerchError('widget_rate_limit', { headers: { 'Retry-After': '1' } });
}

function refuseIfOverDay({ limits, now, reserveUsd = 0 }: AdmitMessageOptions, old: CounterRecord | undefined) {
  if (!old) return;
  if ((old.messages ?? 0) >= limits.perDay) {
    throw new PerchError('widget_daily_cap_exceeded', { headers: { 'Retry-After': retryAfterMidnight(now) } });
  }
  const cost = old.costUsd ?? 0;
  const budget = limits.dailyBudgetUsd;
  if (budget !== undefined && (cost >= budget || cost > budget - reserveUsd)) {
    throw new PerchError('budget_exhausted');
  }
}

/**
 * Starts a new minute on the counter (or a new day's item) and admits this message as its
 * first, guarded by the minute it replaces so only one concurrent caller wins; losers retry.
 */
async function rollOverMinute(
  options: AdmitMessageOptions,
  day: string,
  old: CounterRecord | undefined,
): Promise<boolean> {
  const { doc, table, widgetId, limits, now } = options;
  const minute = epochMinute(now);
  const second = secondOfMinute(now);
  // An item made by a session start or a refusal has no minute yet: look at yesterday's then.
  const previous = old?.minute !== undefined ? old : await previousDayCounter(options);
  const prev = previous?.minute === minute - 1 ? (previous.cur ?? 0) : 0;
  const caps = windowCaps(limits.perMinute, prev);
  if ((caps[second] ?? 0) < 1) {
    throw new PerchError('widget_rate_limit', {
      headers: { 'Retry-After': String(secondsUntilAdmitted(caps, 0, second, limits.perMinute)) },
    });
  }
  const values: Record<string, unknown> = {
    ':one': 1,
    ':m': minute,
    ':prev': prev,
    ':caps': caps,
    ':w': widgetId,
    ':day': day,
    ':exp': counterExpiry(now),
  };
  const guard = old?.minute === undefined ? 'attribute_not_exists(#minute)' : '#minute = :oldMinute';
  if (old?.minute !== undefined) values[':oldMinute'] = old.minute;
  try {
    const { Attributes } = await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: counterKey(widgetId, day),
        UpdateExpression:
          'SET #minute = :m, prev = :prev, cur = :one, caps = :caps, widgetId = :w, #day = :day, expiresAt = :exp ' +
          'ADD messages :one, costUsd :reserve',
        ConditionExpression: [guard, ...dayConditions(options, values)].join(' AND '),
        ExpressionAttributeNames: { '#minute': 'minute', '#day': 'day' },
        ExpressionAttributeValues: values,
        // Only when no item was found may this write create the day's counter (then it lists the day).
        ReturnValues: old ? 'NONE' : 'UPDATED_OLD',
      }),
    );
    if (!old) await listIfFirstOfDay(doc, table, { widgetId, day, expiresAt: counterExpiry(now) }, Attributes);
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

async function readCounter(doc: DynamoDBDocumentClient, table: string, key: { pk: string; sk: string }) {
  const result = await doc.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }));
  return result.Item as CounterRecord | undefined;
}

// At the first message of a UTC day the previous minute lives on yesterday's item.
async function previousDayCounter({
  doc,
  table,
  widgetId,
  now,
}: AdmitMessageOptions): Promise<CounterRecord | undefined> {
  const minuteStart = epochMinute(now) * 60_000;
  if (utcDay(minuteStart - 60_000) === utcDay(now)) return undefined;
  return readCounter(doc, table, counterKey(widgetId, utcDay(minuteStart - 60_000)));
}

/**
 * Gives an admitted message back after an upstream failure: the day count always, the
 * minute count when the minute has not rolled over since.
 */
export async function refundMessage(doc: DynamoDBDocumentClient, table: string, admission: Admission): Promise<void> {
  const key = counterKey(admission.widgetId, admission.day);
  try {
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: key,
        UpdateExpression: 'ADD cur :minus, messages :minus',
        ConditionExpression: '#minute = :m',
        ExpressionAttributeNames: { '#minute': 'minute' },
        ExpressionAttributeValues: { ':minus': -1, ':m': admission.minute },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: key,
        UpdateExpression: 'ADD messages :minus',
        ExpressionAttributeValues: { ':minus': -1 },
      }),
    );
  }
  if (admission.visitor) await releaseVisitor(doc, table, admission.widgetId, admission.visitor, admission.day);
}
