import { warnIfOldNode } from '../node-version';
import { runConversationsCli } from './cli';

/** `npm run conversations`: see `npm run conversations -- --help`. */
warnIfOldNode();
runConversationsCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`error: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  },
);
