import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isWidgetRecord, type WidgetRecord } from '../../functions/records/table';
import type { ResolvedConfig } from '../config/resolve';
import { type Plan, type PlanOptions, planChanges } from './plan';
import { applyPlan, listManagedRecords } from './store';

export interface ReconcileResult {
  plan: Plan;
  writes: number;
  /** The widget records as they stand after apply. */
  widgets: WidgetRecord[];
}

/** Plans the config against the table, reports the plan, applies it. */
export async function reconcile(
  doc: DynamoDBDocumentClient,
  table: string,
  config: ResolvedConfig,
  { onPlan, ...planOptions }: PlanOptions & { onPlan?: (plan: Plan) => void } = {},
): Promise<ReconcileResult> {
  const current = await listManagedRecords(doc, table);
  const plan = planChanges(config, current, planOptions);
  onPlan?.(plan);
  const writes = await applyPlan(doc, table, plan);
  const written = new Map(plan.changes.flatMap((c) => c.puts.filter(isWidgetRecord)).map((r) => [r.widgetId, r]));
  const widgets = config.widgets.map(
    (w) => written.get(w.id) ?? (current.find((r) => isWidgetRecord(r) && r.widgetId === w.id) as WidgetRecord),
  );
  return { plan, writes, widgets };
}
