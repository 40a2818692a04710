import { type DynamoDBDocumentClient, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { MANAGED_BY, MANAGED_INDEX } from '../records/table';
import { USAGE_RETENTION_DAYS, type UsageRosterRecord, usageRosterKey } from './counter-record';

/** A widget as the config declares it (read from its WIDGET# record). */
export interface ConfiguredWidget {
  widgetId: string;
  name: string;
  status: 'active' | 'paused';
  /** How long its conversations are kept (absent where only usage is read, e.g. a config not applied yet). */
  retentionDays?: number;
}

const DAY_SECONDS = 86_400;
/** Roster entries outlive the widget's last history item; refreshed once a month while it is configured. */
const ROSTER_LIFETIME_DAYS = USAGE_RETENTION_DAYS + 60;
const ROSTER_REFRESH_BELOW_DAYS = USAGE_RETENTION_DAYS + 30;

/**
 * The widgets of the config, a page at a time, from the sparse `managed` index (its sort key
 * is `pk`, so `begins_with(pk, 'WIDGET#')` skips the key records without reading them).
 */
export async function* configuredWidgetPages(
  doc: DynamoDBDocumentClient,
  table: string,
  pageSize = 250,
): AsyncGenerator<ConfiguredWidget[]> {
  const pages = paginateQuery(
    { client: doc, pageSize },
    {
      TableName: table,
      IndexName: MANAGED_INDEX,
      KeyConditionExpression: 'managedBy = :m AND begins_with(pk, :widget)',
      ProjectionExpression: 'widgetId, #name, #status, retentionDays',
      ExpressionAttributeNames: { '#name': 'name', '#status': 'status' },
      ExpressionAttributeValues: { ':m': MANAGED_BY, ':widget': 'WIDGET#' },
    },
  );
  for await (const page of pages) {
    const widgets = (page.Items ?? []) as ConfiguredWidget[];
    if (widgets.length > 0) yield widgets;
  }
}

/** Every widget on the usage roster that has not expired: widget id → expiresAt (epoch s). */
export async function readUsageRoster(
  doc: DynamoDBDocumentClient,
  table: string,
  nowMs: number,
): Promise<Map<string, number>> {
  const roster = new Map<string, number>();
  const { pk } = usageRosterKey('');
  const pages = paginateQuery(
    { client: doc },
    {
      TableName: table,
      KeyConditionExpression: 'pk = :pk',
      ProjectionExpression: 'widgetId, expiresAt',
      ExpressionAttributeValues: { ':pk': pk },
    },
  );
  for await (const page of pages) {
    for (const item of (page.Items ?? []) as Pick<UsageRosterRecord, 'widgetId' | 'expiresAt'>[]) {
      if (item.expiresAt * 1000 > nowMs) roster.set(item.widgetId, item.expiresAt);
    }
  }
  return roster;
}

/**
 * The roster entry to write for a widget whose usage was just copied: none while more than a
 * month of margin is left, so most runs write nothing for most widgets.
 */
export function usageRosterEntry(
  widgetId: string,
  nowMs: number,
  currentExpiresAt: number | undefined,
): UsageRosterRecord | undefined {
  const nowSeconds = Math.floor(nowMs / 1000);
  if (currentExpiresAt !== undefined && currentExpiresAt > nowSeconds + ROSTER_REFRESH_BELOW_DAYS * DAY_SECONDS)
    return undefined;
  return { ...usageRosterKey(widgetId), widgetId, expiresAt: nowSeconds + ROSTER_LIFETIME_DAYS * DAY_SECONDS };
}
