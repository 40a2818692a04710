import { rmSync } from 'node:fs';
import { listLoaderFiles } from '../../infra/aws/loader-hosting';
import { createPerch } from '../../infra/aws/perch';
import { ALARM_DEFAULTS, type StackSettings } from '../../infra/aws/stack-settings';
import type { FunctionBundle } from '../../infra/build/bundle-functions';
import { bundleAll, fakeLoaderBuild, resolvedTestConfig, scratchDir } from './fixtures';
import { type Deployment, MockEngine, type MockResource } from './mock-engine';

export const DEV: StackSettings = {
  configFile: 'widgets.config.ts',
  production: false,
  priceClass: 'PriceClass_100',
  logRetentionDays: 30,
  alarms: ALARM_DEFAULTS,
};

type ProgramResult = { outputs: ReturnType<typeof createPerch>['outputs'] };

export interface DeployedProgram {
  /** The Pulumi program run once on the dev stack under the mock engine, with TEST_CONFIG. */
  deployment: Deployment<ProgramResult>;
  bundles: FunctionBundle[];
  loaderDir: string;
  /** The program itself, to run again (another stack, a second `pulumi up`). */
  deployPerch(settings?: StackSettings): ProgramResult;
  /** The one resource of a type; throws when there are none or several. */
  one(type: string): MockResource;
  outputsOf(type: string): MockResource['outputs'];
  lambdaNamed(name: string): MockResource;
  /** The parsed inline policy of the named role. */
  policyOfRole(roleName: string): any;
}

/**
 * Bundles the functions, fakes the loader build and deploys the program once for the test file
 * (in a scratch folder named after `label`, removed afterwards).
 */
export function useDeployedProgram(label: string): DeployedProgram {
  let root: string;
  const program: DeployedProgram = {
    deployment: undefined as never,
    bundles: [],
    loaderDir: '',
    deployPerch: (settings = DEV) => {
      const perch = createPerch({
        config: resolvedTestConfig(),
        bundles: program.bundles,
        loaderFiles: listLoaderFiles(program.loaderDir),
        settings,
      });
      return { outputs: perch.outputs };
    },
    one: (type) => {
      const found = program.deployment.byType(type);
      if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
      return found[0]!;
    },
    outputsOf: (type) => program.one(type).outputs,
    lambdaNamed: (name) => program.deployment.byType('aws:lambda/function:Function').find((f) => f.name === name)!,
    policyOfRole: (roleName) => {
      const role = program.deployment.named(roleName);
      const policy = program.deployment.byType('aws:iam/rolePolicy:RolePolicy').find((p) => p.inputs.role === role.id)!;
      return JSON.parse(policy.inputs.policy);
    },
  };

  beforeAll(async () => {
    root = scratchDir(label);
    program.bundles = await bundleAll(root);
    program.loaderDir = fakeLoaderBuild(root);
    program.deployment = await new MockEngine().run(() => program.deployPerch());
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  return program;
}
