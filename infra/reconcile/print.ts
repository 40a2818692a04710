import { isWidgetRecord } from '../../functions/records/table';
import { formatKnowledgePlan, type KnowledgeChange } from '../knowledge/plan-knowledge';
import { countChanges, type Plan, type WidgetAction } from './plan';

const SYMBOL: Record<WidgetAction, string> = { create: '+', update: '~', 'rotate-key': '±', delete: '-' };

const show = (value: unknown) => (value === undefined ? '(none)' : JSON.stringify(value));
const truncate = (text: string, max = 100) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** Renders a plan Terraform-style: a line per knowledge base, a block per widget, then a summary. */
export function formatPlan(plan: Plan, knowledge: readonly KnowledgeChange[] = []): string {
  const lines: string[] = [`Perch plan for stack "${plan.stack}":`, '', ...formatKnowledgePlan(knowledge)];
  for (const change of plan.changes) {
    lines.push(`  ${SYMBOL[change.action]} widget ${change.widgetId} (${change.action})`);
    if (change.action === 'create') {
      const config = change.puts.find(isWidgetRecord);
      if (config) {
        lines.push(`      name:            ${show(config.name)}`);
        lines.push(`      status:          ${config.status}`);
        lines.push(`      allowedOrigins:  ${show(config.allowedOrigins)}`);
        lines.push(`      public key:      ${config.publicKey} (version ${config.keyVersion})`);
      }
    }
    for (const field of change.fields) {
      lines.push(`      ${field.field}: ${truncate(show(field.before))} → ${truncate(show(field.after))}`);
    }
    for (const note of change.notes) lines.push(`      # ${note}`);
  }
  if (plan.changes.length === 0) lines.push('  No changes. The table matches the config.');
  for (const warning of plan.warnings) lines.push(`  ! warning: ${warning}`);
  const counts = countChanges(plan);
  lines.push(
    '',
    `Plan: ${counts.create} to create, ${counts.update} to update, ` +
      `${counts['rotate-key']} to rotate, ${counts.delete} to delete.`,
  );
  if (knowledge.length > 0) {
    const count = (...actions: KnowledgeChange['action'][]) =>
      knowledge.filter((k) => actions.includes(k.action)).length;
    lines.push(
      `Knowledge: ${count('create', 'update')} to build, ${count('unchanged')} unchanged, ` +
        `${count('delete')} to delete.`,
    );
  }
  return lines.join('\n');
}
