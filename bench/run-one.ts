/** Runs one bench file's default-exported function (spawned by `bench/run.ts`). */
async function runOne(file: string): Promise<void> {
  const bench = (await import(file)) as { default: unknown };
  // tsx's CommonJS interop can nest the default export one level (`{ default: { default: fn } }`).
  const value = bench.default;
  const run =
    typeof value === 'object' && value !== null && 'default' in value ? (value as { default: unknown }).default : value;
  if (typeof run !== 'function') throw new Error(`${file} must default-export an async function`);
  await run();
}

runOne(process.argv[2]!).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error((error as Error).stack ?? String(error));
    process.exit(1);
  },
);
