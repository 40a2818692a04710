import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchGetItems } from '../records/batch';
import { type WidgetRecord, widgetKey } from '../records/table';

/** The share of `dailyBudgetUsd` at which a widget's day is worth a warning (the AWS alarm's too). */
export const BUDGET_WARNING_FRACTION = 0.8;

export type BudgetLevel = 'warning' | 'cap_reached';

/** Today's alert for a widget's cost against its daily budget, or undefined when there is none. */
export function budgetLevel(costUsd: number, dailyBudgetUsd: number | undefined): BudgetLevel | undefined {
  if (dailyBudgetUsd === undefined || dailyBudgetUsd <= 0) return undefined;
  if (costUsd >= dailyBudgetUsd) return 'cap_reached';
  return costUsd >= dailyBudgetUsd * BUDGET_WARNING_FRACTION ? 'warning' : undefined;
}

/** The `dailyBudgetUsd` of each widget that has one, read from the widgets' config items. */
export async function readDailyBudgets(
  doc: DynamoDBDocumentClient,
  table: string,
  widgetIds: readonly string[],
): Promise<Map<string, number>> {
  const budgets = new Map<string, number>();
  const items = await batchGetItems<Pick<WidgetRecord, 'widgetId' | 'limits'>>(doc, table, widgetIds.map(widgetKey), {
    projection: 'widgetId, limits',
  });
  for (const item of items) {
    const budget = item.limits?.dailyBudgetUsd;
    if (typeof budget === 'number') budgets.set(item.widgetId, budget);
  }
  return budgets;
}
