import { existsSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { z } from 'zod';
import { type KnowledgeSnapshot, snapshotKnowledge } from '../knowledge/snapshot';
import { type ResolvedConfig, resolveConfig } from './resolve';
import { configSchema, type PerchConfig } from './schema';

export const DEFAULT_CONFIG_FILE = 'widgets.config.ts';

/** A config that failed validation; `problems` holds one `path: message` line per issue. */
export class ConfigError extends Error {
  constructor(
    readonly problems: string[],
    options?: { cause?: unknown },
  ) {
    super(`invalid config:\n${problems.map((p) => `  - ${p}`).join('\n')}`, options);
    this.name = 'ConfigError';
  }
}

/** `['widgets', 'docs-bot', 'allowedOrigins', 1]` → `widgets.docs-bot.allowedOrigins[1]`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('');
}

function describeIssue(issue: z.core.$ZodIssue): string[] {
  const at = formatIssuePath(issue.path) || '(config)';
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map(
        (key) => `${formatIssuePath([...issue.path, key])}: unknown field; remove it or check its spelling`,
      );
    case 'invalid_type':
      if (issue.input === undefined) return [`${at}: is required`];
      return [`${at}: must be ${EXPECTED[issue.expected] ?? issue.expected}, got ${describeValue(issue.input)}`];
    case 'too_small':
    case 'too_big':
      return [`${at}: ${describeBound(issue)}`];
    case 'invalid_value':
      return [`${at}: must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`];
    case 'invalid_union':
      if ('options' in issue && issue.options?.length) {
        return [`${at}: must be one of ${issue.options.map((v) => JSON.stringify(v)).join(', ')}`];
      }
      return [`${at}: ${issue.message}`];
    default:
      return [`${at}: ${issue.message}`];
  }
}

const EXPECTED: Record<string, string> = {
  int: 'a whole number',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  record: 'an object',
};

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 39)}…` : value);
  return String(value);
}

function describeBound(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  const small = issue.code === 'too_small';
  const limit = Number(small ? issue.minimum : issue.maximum);
  if (issue.origin === 'string') {
    if (small && limit === 1) return 'must not be empty';
    return `must be ${small ? 'at least' : 'at most'} ${limit} characters long`;
  }
  if (issue.origin === 'array' || issue.origin === 'set') {
    return `must have ${small ? 'at least' : 'at most'} ${limit} item${limit === 1 ? '' : 's'}`;
  }
  if (!issue.inclusive) return `must be ${small ? 'greater' : 'less'} than ${limit}`;
  return `must be ${small ? 'at least' : 'at most'} ${limit}`;
}

/** Validates a raw config object, listing every problem (not just the first). */
export function validateConfig(raw: unknown): PerchConfig {
  // reportInput: without it zod leaves `input` unset, and a wrong type would read as missing.
  const result = configSchema.safeParse(raw, { reportInput: true });
  if (!result.success) throw new ConfigError(result.error.issues.flatMap(describeIssue));
  return result.data;
}

/** Imports a config file (TypeScript works under tsx, Jest and Pulumi) and validates it. */
export async function loadConfigFile(file: string): Promise<PerchConfig> {
  const absolute = resolvePath(file);
  if (!existsSync(absolute)) throw new ConfigError([`config file not found: ${absolute}`]);
  let module: unknown;
  try {
    module = await import(pathToFileURL(absolute).href);
  } catch (cause) {
    throw new ConfigError([`cannot load ${file}: ${(cause as Error).message}`], { cause });
  }
  return validateConfig(unwrapDefault(module));
}

export interface LoadedConfig {
  config: PerchConfig;
  knowledge: KnowledgeSnapshot[];
  /** Files of knowledge bases that were skipped, named. */
  warnings: string[];
}

/**
 * Loads and validates a config file and reads its knowledge bases' files (globs relative to the
 * file's folder); a base that matches nothing, leaves the repository or is too big fails it.
 */
export async function loadConfigWithKnowledge(file: string): Promise<LoadedConfig> {
  const config = await loadConfigFile(file);
  const { snapshots, problems, warnings } = await snapshotKnowledge(config.knowledge ?? {}, dirname(resolvePath(file)));
  if (problems.length > 0) throw new ConfigError(problems);
  return { config, knowledge: snapshots, warnings };
}

/** Loads, validates and resolves the config for one stack, knowledge bases included. */
export async function loadResolvedConfig(file: string, stack: string): Promise<ResolvedConfig> {
  const { config, knowledge, warnings } = await loadConfigWithKnowledge(file);
  const resolved = resolveConfig(config, stack, knowledge);
  return { ...resolved, warnings: [...warnings, ...resolved.warnings] };
}

// ESM/CJS interop can nest the default export (`{ default: { default: config } }`).
function unwrapDefault(module: unknown): unknown {
  let value = module;
  while (value && typeof value === 'object' && 'default' in value && !('widgets' in value)) {
    value = (value as { default: unknown }).default;
  }
  return value;
}
