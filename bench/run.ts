import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `npm run bench`: runs every `bench/*.bench.ts` in name order. Each file default-exports an
 * async function that prints its own figures, so adding a bench never means editing this file.
 * An optional argument filters by file name, e.g. `npm run bench -- reconcile`.
 *
 * Each file runs in its own Node process: the Lambda handler modules bind to one local database
 * per process (as on Lambda, at cold start), and one bench's warm caches must not flatter another.
 */
function main(): number {
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
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(__dirname, 'run-one.ts'), join(__dirname, file)],
      {
        stdio: 'inherit',
        env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...process.env },
      },
    );
    if (result.status !== 0) {
      failed += 1;
      console.error(`${file} failed (exit ${result.status ?? result.signal})`);
    }
  }
  return failed === 0 ? 0 : 1;
}

process.exit(main());
