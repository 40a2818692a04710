import { join, resolve } from 'node:path';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { QUOTA_RESET, ROUTES } from '../../functions/routes';
import { bundleFunctions, MissingHandlerError } from '../build/bundle-functions';
import { KNOWLEDGE_BUILD_DIR, writeKnowledgeArtifacts } from '../build/knowledge-artifacts';
import { ConfigError, loadResolvedConfig } from '../config/load';
import type { ResolvedConfig } from '../config/resolve';
import { LOADER_HISTORY_OUTPUT, previousLoaderHistory } from './loader-history';
import { LOADER_BUILD_DIR, LoaderBuildMissingError, listLoaderFiles } from './loader-hosting';
import { createPerch } from './perch';
import { readStackSettings } from './stack-settings';

/** Where the program writes the function bundles it deploys (git-ignored). */
export const FUNCTIONS_BUILD_DIR = 'dist/functions';

export interface PerchProgramOptions {
  /** Repository root: the handlers and the config path are resolved from it. */
  rootDir?: string;
  /** The loader build output to upload; `dist/loader` under the root by default. */
  loaderDir?: string;
  /** Where the function bundles are written; `dist/functions` under the root by default. */
  functionsDir?: string;
  /** Where the knowledge artifacts are written; `dist/knowledge` under the root by default. */
  knowledgeDir?: string;
}

/**
 * The Pulumi program (`infra/index.ts`): reads the stack settings, loads and validates
 * `widgets.config.ts` for this stack, bundles every function, builds every knowledge base's
 * artifact, finds the loader build, creates the resources and returns the stack outputs
 * (`apiUrl`, `loaderUrl`, `widgets`, `tableName`, `region`).
 */
export async function runPerchProgram({
  rootDir = process.cwd(),
  loaderDir = join(rootDir, LOADER_BUILD_DIR),
  functionsDir = join(rootDir, FUNCTIONS_BUILD_DIR),
  knowledgeDir = join(rootDir, KNOWLEDGE_BUILD_DIR),
}: PerchProgramOptions = {}) {
  const settings = readStackSettings();
  const config = await loadStackConfig(resolve(rootDir, settings.configFile), pulumi.getStack());
  for (const warning of config.warnings) pulumi.log.warn(warning);
  const [loaderFiles, bundles] = await runError(
    async () =>
      [
        listLoaderFiles(loaderDir), // cheap, so checked before bundling
        await bundleFunctions({ names: [...ROUTES, QUOTA_RESET].map((f) => f.name), outDir: functionsDir, rootDir }),
      ] as const,
  );
  const knowledgeArtifacts = writeKnowledgeArtifacts({ snapshots: config.knowledge, outDir: knowledgeDir });
  for (const artifact of knowledgeArtifacts) {
    for (const warning of artifact.warnings) pulumi.log.warn(warning);
    pulumi.log.info(artifact.summary);
  }
  const loaderHistory = { previous: await previousLoaderHistory(), now: new Date() };
  const perch = createPerch({ config, bundles, loaderFiles, knowledgeArtifacts, settings, loaderHistory });
  return {
    apiUrl: perch.outputs.apiUrl,
    loaderUrl: perch.outputs.loaderUrl,
    widgets: perch.outputs.widgets,
    /** The API's own stage URL, for debugging; visitors and snippets use `apiUrl` (CloudFront). */
    restApiUrl: perch.api.invokeUrl,
    /** For operators: `npm run usage -- --outputs <file of pulumi stack output --json>`. */
    tableName: perch.table.name,
    region: aws.getRegionOutput().region,
    /** The chat bundles this deploy served, for the next deploy to keep (a secret only to keep it off the screen). */
    [LOADER_HISTORY_OUTPUT]: pulumi.secret(perch.hosting.history),
  };
}

/** The resolved config of one stack; a bad config fails the program listing every problem. */
export async function loadStackConfig(file: string, stack: string): Promise<ResolvedConfig> {
  try {
    return await loadResolvedConfig(file, stack);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // RunError: Pulumi prints the message without a stack trace.
    const count = `${error.problems.length} problem${error.problems.length === 1 ? '' : 's'}`;
    throw new pulumi.RunError(`${file}: ${count}\n${error.problems.map((p) => `  ✗ ${p}`).join('\n')}`);
  }
}

// A missing handler or loader build is the user's to fix: show the message, not a stack trace.
async function runError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof MissingHandlerError || error instanceof LoaderBuildMissingError)
      throw new pulumi.RunError(error.message);
    throw error;
  }
}
