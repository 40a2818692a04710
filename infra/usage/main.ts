import { warnIfOldNode } from '../node-version';
import { runUsageCli } from './cli';

/** `npm run usage`: see `npm run usage -- --help`. */
warnIfOldNode();
runUsageCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`error: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  },
);
