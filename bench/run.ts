import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `npm run bench`: runs every `bench/*.bench.ts` in name order. Each file default-exports an
 * async function that prints its own figures, so adding a bench never means editing this file.
 * An optional argument filters by file name, e.g. `npm run bench -- reconcile`.
 */
async function main(): Promise<number> {
  const filter = process.argv[2];
  const files = readdirSync(__dirname)
    .filter((name) => name.endsWith('.bench.ts') && (!filter || name.includes(filter)))
    .sort();
  if (files.length === 0) {
    console.error(`no bench/*.bench.ts file${filter ? ` matching "${filter}"` : ''}`);
    return 1;
  }
  let failed = 0;
  for (const file of files) {
    console.log(`\n=== ${file} ===`);
    try {
      const bench = (await import(join(__dirname, file))) as { default: unknown };
      const run = unwrapDefault(bench);
      if (typeof run !== 'function') throw new Error('must default-export an async function');
      await run();
    } catch (error) {
      failed += 1;
      console.error(`${file} failed: ${(error as Error).stack ?? String(error)}`);
    }
  }
  return failed === 0 ? 0 : 1;
}

// tsx's CommonJS interop can nest the default export one level (`{ default: { default: fn } }`).
function unwrapDefault(module: { default: unknown }): unknown {
  const value = module.default;
  return typeof value === 'object' && value !== null && 'default' in value ? (value as { default: unknown }).default : value;
}

main().then((code) => process.exit(code));
