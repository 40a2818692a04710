import { ConfigError, validateConfig } from '../../infra/config/load';

export type Raw = {
  models: Record<string, unknown>;
  widgets: Record<string, Record<string, unknown>>;
  stacks?: unknown;
};

/** A valid config; each row of a table breaks one thing in a fresh copy. */
export function validConfig(): Raw {
  return {
    models: { local: { provider: 'faq' } },
    widgets: {
      'docs-bot': { name: 'Docs', model: 'local', allowedOrigins: ['https://example.com', 'http://localhost:3000'] },
    },
  };
}

export function problemsOf(raw: unknown): string[] {
  try {
    validateConfig(raw);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the config to be refused');
}

export const bot = (c: Raw) => c.widgets['docs-bot']!;

/** A row: what is wrong, how it breaks the valid config, and every problem validateConfig must list. */
export type InvalidConfig = [string, (c: Raw) => void, string[]];

/** One test a row: the broken config is refused with exactly its problems. */
export function refusesEach(rows: InvalidConfig[]): void {
  describe('validateConfig refuses', () => {
    test.each(rows)('%s', (_name, breakIt, expected) => {
      const config = validConfig();
      breakIt(config);
      expect(problemsOf(config)).toEqual(expected);
    });
  });
}
