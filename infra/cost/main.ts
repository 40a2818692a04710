import { runCostCli } from './cli';

/** `npm run cost`: see `npm run cost -- --help`. */
runCostCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`error: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  },
);
