import { randomBytes, randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import * as pulumi from '@pulumi/pulumi';
import * as settings from '@pulumi/pulumi/runtime/settings';

export const ACCOUNT_ID = '123456789012';
export const REGION = 'eu-west-1';
/** What `pulumi.getOrganization()` answers on a DIY backend (S3, local), as on this machine's tests. */
export const ORGANIZATION = 'organization';

export type Operation = 'create' | 'update' | 'replace' | 'same';

export interface MockResource {
  type: string;
  name: string;
  id: string;
  inputs: Record<string, any>;
  outputs: Record<string, any>;
  /** URN of the parent resource, when it has one. */
  parent: string;
  ignoreChanges: string[];
  /** Names this resource had in earlier runs (`aliases: [{ name }]`). */
  aliases: string[];
  protect: boolean;
  dependsOn: string[];
  operation: Operation;
}

export interface Deployment<T> {
  result: T;
  /** `result` with every top-level Output resolved (the stack outputs `pulumi up` would print). */
  outputs: { [K in keyof T]: T[K] extends pulumi.Output<infer V> ? V : T[K] };
  resources: MockResource[];
  /** `type::name` of resources the previous run had and this one no longer declares. */
  deletes: string[];
  byType(type: string): MockResource[];
  named(name: string): MockResource;
  changes(): Record<string, Operation | 'delete'>;
}

interface Options {
  stack?: string;
  /** The Pulumi project (`name` in Pulumi.yaml). */
  project?: string;
  /** `perch:*` stack settings, as `pulumi config set` would hold them. */
  config?: Record<string, string>;
}

type Facts = Pick<MockResource, 'parent' | 'ignoreChanges' | 'aliases' | 'protect' | 'dependsOn'>;
const NO_FACTS: Facts = { parent: '', ignoreChanges: [], aliases: [], protect: false, dependsOn: [] };

interface StoredResource {
  inputs: Record<string, any>;
  outputs: Record<string, any>;
  id: string;
}

/**
 * Runs a Pulumi program under `pulumi.runtime.setMocks` the way the engine would apply it to a
 * stack: it keeps state between runs (so a second run with the same state sees the same
 * outputs), honours `ignoreChanges` and name aliases, and regenerates `random:*` resources only
 * when their inputs change (their keepers), as the random provider's replace-on-change does. A
 * run that fails keeps what it registered and deletes nothing, as a failed `pulumi up` does.
 */
export class MockEngine {
  private state = new Map<string, StoredResource>();
  /** Each stack's outputs after its last successful run: what a StackReference to it reads. */
  private stackOutputs = new Map<string, unknown>();

  async run<T>(
    program: () => T | Promise<T>,
    { stack = 'dev', project = 'perch', config = {} }: Options = {},
  ): Promise<Deployment<T>> {
    const registered: MockResource[] = [];
    const requestFacts = new Map<string, Facts>();
    const nextState = new Map<string, StoredResource>();
    const renamed = new Set<string>();
    await pulumi.runtime.setMocks(
      {
        newResource: async (args) => {
          if (args.type === 'pulumi:pulumi:StackReference') {
            const outputs = this.stackOutputs.get(args.inputs.name) ?? {};
            return { id: args.inputs.name, state: { name: args.inputs.name, outputs, secretOutputNames: [] } };
          }
          const key = `${args.type}::${args.name}`;
          const facts: Facts = requestFacts.get(key) ?? NO_FACTS;
          const renamedFrom = this.state.has(key)
            ? undefined
            : facts.aliases.map((name) => `${args.type}::${name}`).find((old) => this.state.has(old));
          if (renamedFrom) renamed.add(renamedFrom);
          const previous = this.state.get(renamedFrom ?? key);
          const inputs = await plain(args.inputs);
          for (const property of facts.ignoreChanges) {
            if (previous && property in previous.inputs) inputs[property] = previous.inputs[property];
          }
          let operation: Operation;
          let stored: StoredResource;
          if (previous && isDeepStrictEqual(previous.inputs, inputs)) {
            operation = 'same';
            stored = previous;
          } else if (previous && !args.type.startsWith('random:')) {
            operation = 'update';
            stored = { inputs, id: previous.id, outputs: { ...previous.outputs, ...inputs } };
          } else {
            operation = previous ? 'replace' : 'create';
            stored = { inputs, ...created(args.type, args.name, inputs) };
          }
          nextState.set(key, stored);
          registered.push({ type: args.type, name: args.name, ...stored, ...facts, operation });
          return { id: stored.id, state: stored.outputs };
        },
        call: (args) => {
          switch (args.token) {
            case 'aws:index/getPartition:getPartition':
              return { partition: 'aws', dnsSuffix: 'amazonaws.com', id: 'aws' };
            case 'aws:index/getRegion:getRegion':
              return { region: REGION, name: REGION, id: REGION };
            case 'aws:index/getCallerIdentity:getCallerIdentity':
              return { accountId: ACCOUNT_ID, arn: `arn:aws:iam::${ACCOUNT_ID}:user/ci`, userId: 'ci', id: ACCOUNT_ID };
            default:
              throw new Error(`unmocked call ${args.token}`);
          }
        },
      },
      project,
      stack,
      false,
      ORGANIZATION,
    );
    pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(config).map(([k, v]) => [`perch:${k}`, v])));
    // The mock monitor hides resource options from `newResource`; read them off the request.
    const monitor = settings.getMonitor() as any;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (request: any, callback: unknown) => {
      requestFacts.set(`${request.getType()}::${request.getName()}`, {
        parent: request.getParent(),
        ignoreChanges: request.getIgnorechangesList(),
        aliases: request
          .getAliasesList()
          .map((alias: any) => alias.getSpec()?.getName())
          .filter(Boolean),
        protect: request.getProtect(),
        dependsOn: request.getDependenciesList(),
      });
      return register(request, callback);
    };

    let result: T;
    let outputs: unknown;
    try {
      result = await program();
      outputs = await resolveOutputs(result).finally(waitForRegistrations);
    } catch (error) {
      this.state = new Map([...this.state, ...nextState]);
      for (const old of renamed) this.state.delete(old);
      throw error;
    }
    const deletes = [...this.state.keys()].filter((key) => !nextState.has(key) && !renamed.has(key));
    this.state = nextState;
    this.stackOutputs.set(`${ORGANIZATION}/${project}/${stack}`, outputs);
    return {
      result,
      outputs: outputs as Deployment<T>['outputs'],
      resources: registered,
      deletes,
      byType: (type) => registered.filter((r) => r.type === type),
      named: (name) => {
        const found = registered.filter((r) => r.name === name);
        if (found.length !== 1) throw new Error(`expected one resource named ${name}, found ${found.length}`);
        return found[0]!;
      },
      changes: () => ({
        ...Object.fromEntries(registered.map((r) => [`${r.type}::${r.name}`, r.operation])),
        ...Object.fromEntries(deletes.map((key) => [key, 'delete' as const])),
      }),
    };
  }
}

/** Resolves once every outstanding resource registration is done. */
async function waitForRegistrations(): Promise<void> {
  // Internal (not in the typings), as the SDK awaits its own registrations before disconnecting.
  await (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
}

/** Resolves a Pulumi output (or a plain value) in a test; rejects when an `apply` threw. */
function outputValue<T>(output: pulumi.Input<T>): Promise<T> {
  // `promise()` is the SDK's own (internal) way to await an output, errors included. An output that
  // failed fails its `isKnown` and `isSecret` too: observed here, so it fails the run once (the
  // language host of `pulumi up` reports such rejections itself).
  const value = pulumi.output(output);
  const internals = value as unknown as { promise(): Promise<T>; isKnown: Promise<boolean> };
  internals.isKnown.catch(() => undefined);
  pulumi.isSecret(value).catch(() => undefined);
  return internals.promise();
}

async function resolveOutputs(result: unknown): Promise<unknown> {
  if (!result || typeof result !== 'object') return result;
  const entries = await Promise.all(
    Object.entries(result).map(async ([key, value]) => [
      key,
      pulumi.Output.isInstance(value) ? await outputValue(value) : value,
    ]),
  );
  return Object.fromEntries(entries);
}

// Secret inputs arrive wrapped ({ 4dabf18193072939515e22adb298388d: sig, value }) and assets
// hold their path as a promise; state holds plain values.
async function plain(value: any): Promise<any> {
  if (value instanceof Promise) return plain(await value);
  if (Array.isArray(value)) return Promise.all(value.map(plain));
  if (value && typeof value === 'object') {
    if ('4dabf18193072939515e22adb298388d' in value && 'value' in value) return plain(value.value);
    const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await plain(v)]));
    return Object.fromEntries(entries);
  }
  return value;
}

/** The attributes AWS (or the random provider) would compute for a new resource. */
function created(type: string, name: string, inputs: Record<string, any>): Omit<StoredResource, 'inputs'> {
  const physical = `${name}-${randomBytes(3).toString('hex')}`;
  const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT_ID}:${resource}`;
  const outputs: Record<string, any> = { ...inputs };
  switch (type) {
    case 'random:index/randomBytes:RandomBytes': {
      const bytes = randomBytes(inputs.length);
      Object.assign(outputs, { base64: bytes.toString('base64'), hex: bytes.toString('hex') });
      break;
    }
    case 'random:index/randomUuid:RandomUuid':
      outputs.result = randomUUID();
      break;
    case 'random:index/randomUuid7:RandomUuid7':
      outputs.result = uuid7(Date.now());
      break;
    case 'aws:dynamodb/table:Table':
      Object.assign(outputs, { name: physical, arn: arn('dynamodb', `table/${physical}`) });
      break;
    case 'aws:lambda/function:Function':
      Object.assign(outputs, { name: physical, arn: arn('lambda', `function:${physical}`) });
      break;
    case 'aws:iam/role:Role':
      Object.assign(outputs, { name: physical, arn: `arn:aws:iam::${ACCOUNT_ID}:role/${physical}` });
      break;
    case 'aws:cloudwatch/logGroup:LogGroup':
      outputs.arn = arn('logs', `log-group:${inputs.name}`);
      break;
    case 'aws:secretsmanager/secret:Secret':
      outputs.arn = arn('secretsmanager', `secret:${physical}-AbCdEf`);
      break;
    case 'aws:sns/topic:Topic':
      Object.assign(outputs, { name: physical, arn: arn('sns', physical) });
      break;
    case 'aws:sqs/queue:Queue':
      Object.assign(outputs, { name: physical, arn: arn('sqs', physical) });
      break;
    case 'aws:apigateway/restApi:RestApi':
      Object.assign(outputs, {
        name: physical,
        rootResourceId: 'root0000',
        executionArn: arn('execute-api', physical),
      });
      return { id: physical, outputs };
    case 'aws:s3/bucket:Bucket':
      Object.assign(outputs, {
        bucket: physical,
        arn: `arn:aws:s3:::${physical}`,
        bucketRegionalDomainName: `${physical}.s3.${REGION}.amazonaws.com`,
      });
      break;
    case 'aws:cloudfront/function:Function':
      Object.assign(outputs, { name: physical, arn: `arn:aws:cloudfront::${ACCOUNT_ID}:function/${physical}` });
      break;
    case 'aws:cloudfront/distribution:Distribution':
      Object.assign(outputs, {
        domainName: `${physical}.cloudfront.net`,
        arn: `arn:aws:cloudfront::${ACCOUNT_ID}:distribution/${physical}`,
      });
      break;
  }
  return { id: `${physical}-id`, outputs };
}

function uuid7(millis: number): string {
  const hex = millis.toString(16).padStart(12, '0') + randomUUID().replace(/-/g, '').slice(12);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${hex.slice(13, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
