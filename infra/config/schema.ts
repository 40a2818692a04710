import { z } from 'zod';
import { formatOriginRule, parseOriginRule } from '../../functions/origins/origin';
import { LOCALE_SETTINGS, type LocaleSetting, TEXT_KEYS, type Texts } from '../../functions/texts/language';
import { alertsSchema } from './alerts';
import { awsRegion, bedrockModelId, checkProfileRegion } from './bedrock-model-id';
import { publicSuffixWildcardProblem } from './public-suffix-wildcard';

/**
 * The schema of `widgets.config.ts`. Widget fields carry no zod defaults so a per-stack override
 * stays a true partial (`resolveConfig` applies DEFAULTS after merging); a stack's `alerts` replace the base's.
 */
const pricingSchema = z
  .object({ inputPerMTok: z.number().nonnegative(), outputPerMTok: z.number().nonnegative() })
  .strict();
const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name');
const maxOutputTokens = z.number().int().positive().max(64_000).optional();

export const modelSchema = z.discriminatedUnion('provider', [
  z
    .object({
      provider: z.literal('faq'),
      // Pause between streamed words, so a local demo streams like a real model.
      streamDelayMs: z.number().int().min(0).max(1000).optional(),
    })
    .strict(),
  z
    .object({
      provider: z.literal('bedrock'),
      // A foundation model or a cross-Region inference profile ID (`eu.anthropic.…`).
      modelId: bedrockModelId,
      region: awsRegion.optional(),
      pricing: pricingSchema.optional(),
      maxOutputTokens,
    })
    .strict()
    .superRefine(checkProfileRegion),
  z
    .object({
      provider: z.literal('openai'),
      baseUrl: z
        .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://api.example.com/v1' })
        .refine((u) => !/\/chat\/completions\/?$/.test(u), 'must end before /chat/completions'),
      model: z.string().min(1),
      apiKeyEnv: envName.optional(),
      apiKeySecret: z.string().min(1).optional(),
      pricing: pricingSchema.optional(),
      maxOutputTokens,
    })
    .strict(),
]);

const originEntry = z.string().superRefine((value, ctx) => {
  const parsed = parseOriginRule(value);
  const problem = parsed.ok ? publicSuffixWildcardProblem(parsed.rule) : parsed.problem;
  if (problem) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} ${problem}` });
});

/** Placeholders a knowledge base's `url` template may use (filled per source, URL-encoded). */
export const URL_PLACEHOLDERS = ['path', 'slug', 'anchor'] as const;

const urlTemplate = z.string().superRefine((value, ctx) => {
  const unknown = [...value.matchAll(/\{([^}]*)\}/g)]
    .map((m) => m[1]!)
    .filter((p) => !URL_PLACEHOLDERS.includes(p as never));
  if (unknown.length > 0) {
    const known = URL_PLACEHOLDERS.map((p) => `{${p}}`).join(', ');
    ctx.addIssue({ code: 'custom', message: `unknown placeholder {${unknown[0]}}; use ${known}` });
  } else if (
    // The host is the team's own: a placeholder comes after it (`https://docs.example.com{path}` would
    // let a file's path run into the host), and every brace belongs to a placeholder.
    !/^https?:\/\/[^/?#{}\s]+(?:[/?#]|$)/.test(value) ||
    /[{}]/.test(value.replace(/\{\w+\}/g, '')) ||
    !URL.canParse(value.replace(/\{\w+\}/g, 'x'))
  ) {
    ctx.addIssue({ code: 'custom', message: 'must be an http(s) URL template, e.g. https://docs.example.com/{slug}' });
  }
});

const globList = z.array(z.string().min(1).max(500)).max(50);

export const knowledgeBaseSchema = z
  .object({ include: globList.min(1), exclude: globList.optional(), url: urlTemplate.optional() })
  .strict();

/** Signed-in visitors: where the site's HS256 secret is read, and whether anonymous starts are refused. */
const identitySchema = z
  .object({
    secretEnv: envName.optional(),
    secretSecret: z.string().min(1).max(2048).optional(),
    required: z.boolean().optional(),
  })
  .strict()
  .refine((identity) => (identity.secretEnv === undefined) !== (identity.secretSecret === undefined), {
    error: 'set exactly one of secretEnv (an environment variable, local target) or secretSecret (Secrets Manager)',
  });

/** Longer than any shipped text; the panel has room for a sentence or two. */
export const MAX_TEXT_LENGTH = 200;

/**
 * Overrides of the visitor texts by name. Names are checked on the input, before zod copies the
 * object: an own `__proto__` key would not survive the copy, so it would pass unseen.
 */
const textsSchema = z.preprocess(
  (value, ctx) => {
    if (!isObject(value)) return value;
    for (const key of Object.keys(value).filter((k) => !(TEXT_KEYS as string[]).includes(k))) {
      ctx.addIssue({
        code: 'custom',
        path: [key],
        input: value,
        message: `unknown text; the texts are ${TEXT_KEYS.join(', ')}`,
      });
    }
    return value;
  },
  z.object(Object.fromEntries(TEXT_KEYS.map((key) => [key, z.string().min(1).max(MAX_TEXT_LENGTH).optional()]))),
) as unknown as z.ZodType<Partial<Texts>>;

const hexColour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a #rrggbb colour, e.g. #2563eb');

export const widgetSchema = z
  .object({
    name: z.string().min(1).max(80),
    model: z.string().min(1),
    systemPrompt: z.string().max(20_000).optional(),
    greeting: z.string().max(500).optional(),
    placeholder: z.string().max(120).optional(),
    locale: z.enum(LOCALE_SETTINGS as [LocaleSetting, ...LocaleSetting[]]).optional(),
    texts: textsSchema.optional(),
    theme: z
      .object({ primary: hexColour.optional(), position: z.enum(['bottom-right', 'bottom-left']).optional() })
      .strict()
      .optional(),
    allowedOrigins: z.array(originEntry).optional(),
    limits: z
      .object({
        perMinute: z.number().int().positive().max(100_000).optional(),
        perDay: z.number().int().positive().max(10_000_000).optional(),
        perVisitorPerDay: z.number().int().positive().optional(),
        dailyBudgetUsd: z.number().positive().optional(),
        sessionsPerVisitorPerHour: z.number().int().positive().max(100_000).optional(),
        sessionsPerDay: z.number().int().positive().max(100_000_000).optional(),
      })
      .strict()
      .optional(),
    keyRotation: z.number().int().nonnegative().optional(),
    status: z.enum(['active', 'paused']).optional(),
    quickActions: z.array(z.string().min(1).max(200)).max(8).optional(),
    feedback: z.boolean().optional(),
    faq: z
      .array(z.object({ question: z.string().min(1).max(500), answer: z.string().min(1).max(4000) }).strict())
      .optional(),
    retentionDays: z.number().int().min(1).max(3650).optional(),
    identity: identitySchema.optional(),
    knowledge: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1).max(8)], {
        error: 'must be a knowledge base name or a list of them, e.g. "docs"',
      })
      .optional(),
  })
  .strict();

const WIDGET_ID = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
/** One DynamoDB item holds 400 KB; the widget item also carries defaults, the model and keys. */
const MAX_WIDGET_KB = 350;

type Loose = Record<string, unknown>;
const isObject = (value: unknown): value is Loose =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const entriesOf = (value: unknown): [string, unknown][] => (isObject(value) ? Object.entries(value) : []);

/**
 * Rules across fields: widget ids and knowledge base names are slugs, models and bases exist, origins
 * are not listed twice, stack overrides name declared widgets, a widget fits in one table item. They
 * run even when other fields failed (so `check` lists every problem at once), which is why they
 * guard every shape they read.
 */
function checkReferences(config: unknown, ctx: z.core.$RefinementCtx) {
  if (!isObject(config)) return;
  const models = isObject(config.models) ? config.models : undefined;
  const widgets = isObject(config.widgets) ? config.widgets : {};
  const bases = isObject(config.knowledge) ? config.knowledge : {};
  for (const name of Object.keys(bases)) {
    if (!WIDGET_ID.test(name)) {
      ctx.addIssue({
        code: 'custom',
        path: ['knowledge', name],
        message: 'knowledge base name must be a lower-case slug (a-z, 0-9, -), e.g. docs',
      });
    }
  }
  for (const id of Object.keys(widgets)) {
    if (!WIDGET_ID.test(id)) {
      ctx.addIssue({
        code: 'custom',
        path: ['widgets', id],
        message: 'widget id must be a lower-case slug (a-z, 0-9, -), e.g. docs-bot',
      });
    }
  }
  // `base` is the declared widget a stack override lands on: the item holds both merged.
  const checkWidget = (path: (string | number)[], widget: unknown, base?: unknown) => {
    if (!isObject(widget)) return;
    const kb = jsonKilobytes(isObject(base) ? { ...base, ...widget } : widget);
    if (kb > MAX_WIDGET_KB) {
      ctx.addIssue({
        code: 'custom',
        path,
        message:
          `is about ${kb} KB, more than the ${MAX_WIDGET_KB} KB one table item can hold; ` +
          'shorten faq or systemPrompt',
      });
    }
    if (models && typeof widget.model === 'string' && !Object.hasOwn(models, widget.model)) {
      const known = Object.keys(models).join(', ') || 'none';
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'model'],
        message: `unknown model ${JSON.stringify(widget.model)}; declared models: ${known}`,
      });
    }
    const named = typeof widget.knowledge === 'string' ? [widget.knowledge] : widget.knowledge;
    if (Array.isArray(named)) {
      named.forEach((base, index) => {
        // An empty name is already refused by its field; not said twice.
        if (typeof base !== 'string' || base === '' || Object.hasOwn(bases, base)) return;
        const declared = Object.keys(bases).join(', ') || 'none';
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'knowledge', ...(typeof widget.knowledge === 'string' ? [] : [index])],
          message: `unknown knowledge base ${JSON.stringify(base)}; declared under knowledge: ${declared}`,
        });
      });
    }
    const seen = new Map<string, number>();
    const origins = Array.isArray(widget.allowedOrigins) ? (widget.allowedOrigins as unknown[]) : [];
    origins.forEach((entry, index) => {
      const parsed = typeof entry === 'string' ? parseOriginRule(entry) : undefined;
      if (!parsed?.ok) return;
      const canonical = formatOriginRule(parsed.rule);
      const first = seen.get(canonical);
      if (first === undefined) seen.set(canonical, index);
      else {
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'allowedOrigins', index],
          message: `${JSON.stringify(entry)} duplicates allowedOrigins[${first}]; remove one`,
        });
      }
    });
  };
  for (const [id, widget] of Object.entries(widgets)) checkWidget(['widgets', id], widget);
  for (const [stack, overrides] of entriesOf(config.stacks)) {
    for (const [id, widget] of entriesOf(isObject(overrides) ? overrides.widgets : undefined)) {
      if (!Object.hasOwn(widgets, id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['stacks', stack, 'widgets', id],
          message: `overrides a widget that is not declared under widgets`,
        });
      }
      checkWidget(['stacks', stack, 'widgets', id], widget, widgets[id]);
    }
  }
}

function jsonKilobytes(value: unknown): number {
  try {
    return Math.ceil(Buffer.byteLength(JSON.stringify(value) ?? '') / 1024);
  } catch {
    return 0; // not JSON (a BigInt, a cycle): the field checks already report it
  }
}

const stackSchema = z
  .object({ widgets: z.record(z.string(), widgetSchema.partial()).optional(), alerts: alertsSchema.optional() })
  .strict();

export const configSchema = z
  .object({
    models: z.record(z.string(), modelSchema),
    knowledge: z.record(z.string(), knowledgeBaseSchema).optional(),
    widgets: z.record(z.string(), widgetSchema),
    alerts: alertsSchema.optional(),
    stacks: z.record(z.string(), stackSchema).optional(),
  })
  .strict()
  .superRefine(checkReferences, { when: () => true });

/** What a team writes in `widgets.config.ts` (editor autocompletion comes from this). */
export type PerchConfigInput = z.input<typeof configSchema>;
export type PerchConfig = z.output<typeof configSchema>;
export type WidgetInput = z.output<typeof widgetSchema>;
export type KnowledgeBaseConfig = z.output<typeof knowledgeBaseSchema>;

/** Typed identity helper for `widgets.config.ts`; validation happens when the config is loaded. */
export function defineConfig(config: PerchConfigInput): PerchConfigInput {
  return config;
}
