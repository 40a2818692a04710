import { existsSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { z } from 'zod';
import { configSchema, type PerchConfig } from './schema';
import { resolveConfig, type ResolvedConfig } from './resolve';

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
  const at = (path: readonly PropertyKey[]) => formatIssuePath(path) || '(config)';
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `${at([...issue.path, key])}: unknown field; remove it or check its spelling`);
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    return [`${at(issue.path)}: is required`];
  }
  return [`${at(issue.path)}: ${issue.message}`];
}

/** Validates a raw config object, listing every problem (not just the first). */
export function validateConfig(raw: unknown): PerchConfig {
  const result = configSchema.safeParse(raw);
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

/** Loads, validates and resolves the config for one stack. */
export async function loadResolvedConfig(file: string, stack: string): Promise<ResolvedConfig> {
  return resolveConfig(await loadConfigFile(file), stack);
}

// ESM/CJS interop can nest the default export (`{ default: { default: config } }`).
function unwrapDefault(module: unknown): unknown {
  let value = module;
  while (value && typeof value === 'object' && 'default' in value && !('widgets' in value)) {
    value = (value as { default: unknown }).default;
  }
  return value;
}
