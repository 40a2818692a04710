import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { QUOTA_RESET, ROUTES } from '../functions/routes';
import { bundleFunctions } from '../infra/build/bundle-functions';

/** Targets per function (DESIGN.md's platform facts): what a cold start loads and parses. */
const SIZE_TARGET_BYTES = 600 * 1024;
const IMPORT_TARGET_MS = 100;
const RUNS = Number(process.env.PERCH_BENCH_IMPORT_RUNS ?? 7);

/**
 * The Lambda bundles as `pulumi up` deploys them: minified size (and gzip, about what the zip
 * costs) and the time `require` of each bundle takes in a fresh Node process with
 * `--enable-source-maps`, as the function sets it — the median of several runs.
 */
export default async function functionsBench(): Promise<void> {
  const outDir = mkdtempSync(join(tmpdir(), 'perch-bench-functions-'));
  try {
    const started = performance.now();
    const bundles = await bundleFunctions({ names: [...ROUTES, QUOTA_RESET].map((f) => f.name), outDir });
    console.log(
      `esbuild: ${bundles.length} bundles in ${(performance.now() - started).toFixed(0)}` +
        ` ms (node ${process.version}; Lambda runs nodejs22.x on arm64)`,
    );
    console.log(
      `${'function'.padEnd(15)} ${'minified'.padStart(10)} ${'gzip'.padStart(9)}` +
        ` ${'import (median)'.padStart(16)}  targets: ≤ ${SIZE_TARGET_BYTES / 1024} KB, ≤ ${IMPORT_TARGET_MS} ms`,
    );
    for (const bundle of bundles) {
      const gzip = gzipSync(readFileSync(bundle.file)).length;
      const ms = median(Array.from({ length: RUNS }, () => importMs(bundle.file)));
      const flags = [
        bundle.bytes > SIZE_TARGET_BYTES ? 'over size target' : '',
        ms > IMPORT_TARGET_MS ? 'over import target' : '',
      ].filter(Boolean);
      console.log(
        `${bundle.name.padEnd(15)} ${kb(bundle.bytes).padStart(10)} ${kb(gzip).padStart(9)}` +
          ` ${`${ms.toFixed(1)} ms`.padStart(16)}  ${flags.join(', ') || 'ok'}`,
      );
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

// Lambda's runtime defines `awslambda` before loading the handler; the streaming handler needs it.
const PRELUDE = 'globalThis.awslambda={streamifyResponse:(h)=>h,HttpResponseStream:{from:(s)=>s}};';

/** Milliseconds `require` of a bundle takes in a fresh Node process, as Lambda loads it (also the knowledge bench). */
export function importMs(file: string): number {
  const script =
    `${PRELUDE}const t=performance.now();require(${JSON.stringify(file)});` +
    `process.stdout.write(String(performance.now()-t));`;
  const out = execFileSync(process.execPath, ['--enable-source-maps', '--no-warnings', '-e', script], {
    env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1' },
  });
  return Number(out.toString());
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
