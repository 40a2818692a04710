import type { KnowledgeRef } from '../../functions/knowledge/passage';
import { formatOriginRule, parseOriginRule } from '../../functions/origins/origin';
import type { ModelBinding, WidgetSettings } from '../../functions/records/table';
import type { KnowledgeSnapshot } from '../knowledge/snapshot';
import { type ResolvedAlerts, resolveAlerts } from './alerts';
import type { PerchConfig, WidgetInput } from './schema';

export const WIDGET_DEFAULTS = {
  systemPrompt: 'You are a helpful assistant for this website. Answer briefly and politely.',
  locale: 'en' as const,
  theme: { primary: '#2563eb', position: 'bottom-right' as const },
  limits: { perMinute: 10, perDay: 200 },
  keyRotation: 0,
  status: 'active' as const,
  feedback: true,
  retentionDays: 30,
};

/** A widget with the stack override merged in and every default applied. */
export interface ResolvedWidget extends WidgetSettings {
  id: string;
  modelName: string;
  keyRotation: number;
  /** The bases it answers from, each with the digest of its artifact. */
  knowledge: KnowledgeRef[];
}

export interface ResolvedConfig {
  stack: string;
  widgets: ResolvedWidget[];
  /** Every declared knowledge base, as its files are now. */
  knowledge: KnowledgeSnapshot[];
  /** Who the stack's alarms tell. */
  alerts: ResolvedAlerts;
  warnings: string[];
}

/**
 * Turns a validated config into the widgets of one stack: merges `stacks.<stack>.widgets`
 * over the base (nested `theme` and `limits` merge field by field; lists are replaced), and
 * binds each widget's knowledge bases to the digests of their snapshots. A stack's `alerts` replace the base's.
 */
export function resolveConfig(
  config: PerchConfig,
  stack: string,
  knowledge: readonly KnowledgeSnapshot[] = [],
): ResolvedConfig {
  const overrides = config.stacks?.[stack]?.widgets ?? {};
  const warnings: string[] = [];
  const stacks = Object.keys(config.stacks ?? {});
  // A typo in the stack name would silently drop every override; `local` needs none.
  if (stack !== 'local' && stacks.length > 0 && !Object.hasOwn(config.stacks!, stack)) {
    warnings.push(
      `stack "${stack}" has no entry under stacks (declared: ${stacks.join(', ')}); the base config applies`,
    );
  }
  const widgets = Object.entries(config.widgets)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([id, base]): ResolvedWidget => {
      // An explicit `undefined` (legal in a .ts config) means "not set": it must neither
      // hide the base value nor reach the records, where it would read as drift on every plan.
      const override: Partial<WidgetInput> = stripUndefined(overrides[id] ?? {});
      const merged: WidgetInput = {
        ...stripUndefined(base),
        ...override,
        theme: { ...stripUndefined(base.theme ?? {}), ...stripUndefined(override.theme ?? {}) },
        limits: { ...stripUndefined(base.limits ?? {}), ...stripUndefined(override.limits ?? {}) },
        texts: { ...stripUndefined(base.texts ?? {}), ...stripUndefined(override.texts ?? {}) },
      };
      const model = stripUndefined(config.models[merged.model]!) as ModelBinding;
      const allowedOrigins = (merged.allowedOrigins ?? []).map((entry) => {
        const parsed = parseOriginRule(entry);
        if (!parsed.ok) throw new Error(`unvalidated origin ${entry}`);
        return formatOriginRule(parsed.rule);
      });
      if (allowedOrigins.length === 0) {
        warnings.push(
          `widgets.${id}.allowedOrigins is empty: any website can embed this widget (fine for development only)`,
        );
      }
      const faq = merged.faq ?? [];
      const bases = typeof merged.knowledge === 'string' ? [merged.knowledge] : [...new Set(merged.knowledge ?? [])];
      const refs = bases.map((base): KnowledgeRef => {
        const snapshot = knowledge.find((k) => k.name === base);
        if (!snapshot) throw new Error(`knowledge base ${base} was not read before resolving widget ${id}`);
        return { base, digest: snapshot.digest };
      });
      if (model.provider === 'faq' && faq.length === 0 && refs.length === 0) {
        warnings.push(`widgets.${id}.faq is empty: the faq model can only give its fallback answer`);
      }
      if (merged.identity?.secretEnv && stack !== 'local') {
        warnings.push(
          `widgets.${id}.identity.secretEnv is read from the function's environment, which the AWS target ` +
            'does not set: use identity.secretSecret there (a per-stack override)',
        );
      }
      return {
        id,
        name: merged.name,
        modelName: merged.model,
        model,
        systemPrompt: merged.systemPrompt ?? WIDGET_DEFAULTS.systemPrompt,
        // Unset, the greeting and placeholder come from the catalogue of the visitor's language (functions/texts).
        ...(merged.greeting !== undefined && { greeting: merged.greeting }),
        ...(merged.placeholder !== undefined && { placeholder: merged.placeholder }),
        locale: merged.locale ?? WIDGET_DEFAULTS.locale,
        ...(Object.keys(merged.texts ?? {}).length > 0 && { texts: merged.texts }),
        theme: { ...WIDGET_DEFAULTS.theme, ...merged.theme },
        allowedOrigins,
        limits: { ...WIDGET_DEFAULTS.limits, ...merged.limits },
        keyRotation: merged.keyRotation ?? WIDGET_DEFAULTS.keyRotation,
        status: merged.status ?? WIDGET_DEFAULTS.status,
        quickActions: merged.quickActions ?? [],
        feedback: merged.feedback ?? WIDGET_DEFAULTS.feedback,
        faq,
        retentionDays: merged.retentionDays ?? WIDGET_DEFAULTS.retentionDays,
        knowledge: refs,
        ...(merged.identity && {
          identity: { ...stripUndefined(merged.identity), required: !!merged.identity.required },
        }),
      };
    });
  const alerts = resolveAlerts(config.alerts, config.stacks?.[stack]?.alerts);
  return { stack, widgets, knowledge: [...knowledge], alerts, warnings };
}

function stripUndefined<T extends object>(value: T): { [K in keyof T]-?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as never;
}
