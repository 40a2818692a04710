import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
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
  for (let i = 0; i < widgetIds.length; i += 100) {
    let keys: Record<string, unknown>[] = widgetIds.slice(i, i + 100).map(widgetKey);
    while (keys.length > 0) {
      const result = await doc.send(
        new BatchGetCommand({
          RequestItems: { [table]: { Keys: keys, ProjectionExpression: 'widgetId, limits' } },
        }),
      );
      for (const item of (result.Responses?.[table] ?? []) as Pick<WidgetRecord, 'widgetId' | 'limits'>[]) {
        const budget = item.limits?.dailyBudgetUsd;
        if (typeof budget === 'number') budgets.set(item.widgetId, budget);
      }
      keys = result.UnprocessedKeys?.[table]?.Keys ?? [];
    }
  }
  return budgets;
}
