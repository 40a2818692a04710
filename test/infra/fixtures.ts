import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUOTA_RESET, ROUTES } from '../../functions/routes';
import { bundleFunctions, type FunctionBundle } from '../../infra/build/bundle-functions';
import { validateConfig } from '../../infra/config/load';
import { type ResolvedConfig, resolveConfig } from '../../infra/config/resolve';

export const ALL_FUNCTIONS = [...ROUTES, QUOTA_RESET];

/** A config that exercises every model provider (for the IAM derivation) and two widgets. */
export const TEST_CONFIG = {
  models: {
    local: { provider: 'faq' },
    // An inference profile, as current Claude models are served (the stack is in eu-west-1).
    claude: { provider: 'bedrock', modelId: 'eu.anthropic.claude-haiku-4-5-20251001-v1:0' },
    llama: { provider: 'bedrock', modelId: 'meta.llama3-8b-instruct-v1:0', region: 'us-west-2' },
    gateway: {
      provider: 'openai',
      baseUrl: 'https://llm.example.com/v1',
      model: 'gpt-x',
      apiKeySecret: 'perch/llm-gateway',
    },
    unused: { provider: 'bedrock', modelId: 'amazon.titan-text-express-v1' },
  },
  widgets: {
    'docs-bot': { name: 'Docs', model: 'claude', allowedOrigins: ['https://docs.example.com'] },
    support: {
      name: 'Support',
      model: 'gateway',
      allowedOrigins: ['https://support.example.com'],
      keyRotation: 1,
      identity: { secretSecret: 'perch/support-identity', required: true },
    },
    faq: { name: 'FAQ', model: 'local', allowedOrigins: [], faq: [{ question: 'Q?', answer: 'A.' }] },
    regional: { name: 'Regional', model: 'llama', allowedOrigins: ['https://eu.example.com'] },
  },
  stacks: { dev: { widgets: { 'docs-bot': { allowedOrigins: ['http://localhost:3000'] } } } },
};

export function resolvedTestConfig(stack = 'dev'): ResolvedConfig {
  return resolveConfig(validateConfig(TEST_CONFIG), stack);
}

/** A scratch folder for one test file. */
export const scratchDir = (label: string) => mkdtempSync(join(tmpdir(), `perch-${label}-`));

/** What `npm run build:loader` leaves in `dist/loader`: the loader and a content-hashed chat file. */
export function fakeLoaderBuild(root: string): string {
  const dir = join(root, 'loader');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'loader.js'), '(()=>{window.Perch={}})();\n');
  writeFileSync(join(dir, 'chat.Q2XJ7KDA.js'), 'export const chat=1;\n');
  return dir;
}

/** Bundles every function once per test file (esbuild, ~2 s). */
export function bundleAll(root: string): Promise<FunctionBundle[]> {
  return bundleFunctions({ names: ALL_FUNCTIONS.map((f) => f.name), outDir: join(root, 'functions') });
}
