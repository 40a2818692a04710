import { ConfigError, DEFAULT_CONFIG_FILE } from '../config/load';
import { warnIfOldNode } from '../node-version';
import { startDemoSites } from './demo-sites';
import { CONVERSATIONS_PAGE_PATH, USAGE_PAGE_PATH } from './operator-page';
import { LocalTargetError, startLocalTarget } from './target';

/** `npm start`: the local target, configured from the environment (see README). */
async function main(): Promise<void> {
  warnIfOldNode();
  // 0 picks a free port (tests); the banner and outputs.json carry the real one.
  const port = Number(process.env.PERCH_PORT || 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new LocalTargetError(`PERCH_PORT must be a port number, got "${process.env.PERCH_PORT}"`);
  // The demo sites take this port (allowed origin) and the next (foreign); 0 picks free ones.
  const demoPort = Number(process.env.PERCH_DEMO_PORT || 3000);
  if (!Number.isInteger(demoPort) || demoPort < 0 || demoPort > 65534)
    throw new LocalTargetError(`PERCH_DEMO_PORT must be a port number, got "${process.env.PERCH_DEMO_PORT}"`);
  const dataDir = process.env.PERCH_DATA_DIR ?? '.perch';
  const target = await startLocalTarget({
    configFile: process.env.PERCH_CONFIG ?? DEFAULT_CONFIG_FILE,
    port,
    dataDir,
    stack: process.env.PERCH_STACK ?? 'local',
  });
  console.log(`\nPerch is running. API: ${target.apiUrl}   Outputs: ${dataDir}/outputs.json`);
  const pages = [USAGE_PAGE_PATH, CONVERSATIONS_PAGE_PATH].map((path) => `${target.apiUrl}${path}`);
  console.log(`Operator pages (this machine only): ${pages.join('  ')}`);
  for (const [id, { publicKey, snippet }] of Object.entries(target.outputs.widgets)) {
    console.log(`\n  ${id}  ${publicKey}\n    ${snippet}`);
  }
  console.log('');
  const demo = await startDemoSites({
    port: demoPort,
    outputs: target.outputs,
    allowedOrigins: target.widgets.find((w) => w.widgetId === 'docs-bot')?.allowedOrigins,
  });
  console.log('\nPress Ctrl+C to stop.');
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal} received, stopping…`);
    Promise.all([demo.close(), target.close()]).then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`error while stopping: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(`error: ${error.message}`);
  else if (error instanceof LocalTargetError) console.error(`error: ${error.message}`);
  else console.error(`error: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
