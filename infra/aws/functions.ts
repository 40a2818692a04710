import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { METRICS_NAMESPACE, METRICS_SERVICE, METRICS_STACK_ENV } from '../../functions/metrics/metric-names';
import type { ModelBinding } from '../../functions/records/table';
import { FUNCTION_ENV, type FunctionDefinition, type RouteDefinition } from '../../functions/routes';
import { BUNDLE_HANDLER, type FunctionBundle } from '../build/bundle-functions';
import { type AccountScope, functionPolicy, serviceTrustPolicy } from './policies';

export interface PerchFunctionsOptions {
  definitions: readonly FunctionDefinition[];
  bundles: readonly FunctionBundle[];
  table: aws.dynamodb.Table;
  sessionSecret: aws.secretsmanager.Secret;
  models: readonly ModelBinding[];
  /** The widgets' `identity.secretSecret` names or ARNs (read by the sessions function). */
  identitySecrets: readonly string[];
  scope: pulumi.Output<AccountScope>;
  logRetentionDays: number;
  /** The secret CloudFront sends the API origin (route functions only). */
  edgeSecret: pulumi.Input<string>;
  /** The knowledge bucket and its artifacts' ARNs, when the stack deploys any base. */
  knowledge?: FunctionKnowledge;
  /** By function name: the ARN of the SQS queue its failed asynchronous runs go to (`sqs:SendMessage`). */
  failureQueues?: Readonly<Record<string, pulumi.Input<string>>>;
  parent?: pulumi.Resource;
}

/** What a function that reads knowledge is given: the bucket's name and `s3:GetObject` on these objects. */
export interface FunctionKnowledge {
  bucket: pulumi.Input<string>;
  artifactArns: pulumi.Input<string[]>;
}

export interface PerchFunction {
  definition: FunctionDefinition;
  fn: aws.lambda.Function;
  role: aws.iam.Role;
  policy: aws.iam.RolePolicy;
  logGroup: aws.cloudwatch.LogGroup;
}

/** Streaming replies may take a while; everything else answers within a few seconds. */
export function functionLimits(definition: FunctionDefinition): { timeout: number; memorySize: number } {
  if ((definition as RouteDefinition).streaming) return { timeout: 120, memorySize: 512 };
  if (!('resource' in definition)) return { timeout: 300, memorySize: 256 }; // the scheduled roll-up
  return { timeout: 10, memorySize: 256 };
}

/**
 * One Lambda per function definition (nodejs22.x on arm64, its own esbuild bundle with a source
 * map), each with its own log group and its own role whose only policy is derived from the
 * definition's declared table actions, secret, model and knowledge use.
 */
export function createPerchFunctions({
  definitions,
  bundles,
  table,
  sessionSecret,
  models,
  identitySecrets,
  scope,
  logRetentionDays,
  edgeSecret,
  knowledge,
  failureQueues = {},
  parent,
}: PerchFunctionsOptions): Map<string, PerchFunction> {
  const stack = pulumi.getStack();
  // Log group names are the only physical names Perch fixes: the project keeps two projects'
  // stacks of the same name apart in one account.
  const logGroupPrefix = `/perch/${pulumi.getProject()}/${stack}`;
  const functions = new Map<string, PerchFunction>();
  for (const definition of definitions) {
    const bundle = bundles.find((b) => b.name === definition.name);
    if (!bundle)
      throw new Error(`no bundle for function ${definition.name}; bundleFunctions must build every function`);
    const name = definition.name;
    const readsKnowledge = definition.readsKnowledge && knowledge !== undefined;
    const failureQueue = failureQueues[name];
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: `${logGroupPrefix}/${name}`, retentionInDays: logRetentionDays },
      { parent },
    );
    const role = new aws.iam.Role(
      `${name}-role`,
      {
        description: `Perch ${name} function (${stack}): least privilege from functions/routes.ts`,
        assumeRolePolicy: JSON.stringify(serviceTrustPolicy('lambda.amazonaws.com')),
      },
      { parent },
    );
    const policy = new aws.iam.RolePolicy(
      `${name}-policy`,
      {
        role: role.id,
        policy: pulumi
          .all([
            scope,
            table.arn,
            logGroup.arn,
            sessionSecret.arn,
            readsKnowledge ? knowledge.artifactArns : [],
            failureQueue ? [failureQueue] : [],
          ])
          .apply(([scopeValue, tableArn, logGroupArn, sessionSecretArn, knowledgeArtifactArns, failureQueueArns]) =>
            JSON.stringify(
              functionPolicy(definition, {
                scope: scopeValue,
                tableArn,
                logGroupArn,
                sessionSecretArn,
                models,
                identitySecrets,
                knowledgeArtifactArns,
                failureQueueArns,
              }),
            ),
          ),
      },
      { parent },
    );
    const fn = new aws.lambda.Function(
      name,
      {
        description: `Perch ${name} (${stack})`,
        runtime: aws.lambda.Runtime.NodeJS22dX,
        architectures: ['arm64'],
        handler: BUNDLE_HANDLER,
        code: new pulumi.asset.FileArchive(bundle.dir),
        role: role.arn,
        ...functionLimits(definition),
        loggingConfig: { logFormat: 'Text', logGroup: logGroup.name },
        environment: {
          variables: {
            [FUNCTION_ENV.table]: table.name,
            ...(definition.sessionSecret ? { [FUNCTION_ENV.sessionSecretArn]: sessionSecret.arn } : {}),
            ...('resource' in definition ? { [FUNCTION_ENV.edgeSecret]: edgeSecret } : {}),
            ...(readsKnowledge ? { [FUNCTION_ENV.knowledgeBucket]: knowledge.bucket } : {}),
            // Powertools reads its service and namespace here; the stack is every metric's `stack` dimension.
            POWERTOOLS_SERVICE_NAME: METRICS_SERVICE,
            POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
            [METRICS_STACK_ENV]: stack,
            // Stack traces through the bundle's source map.
            NODE_OPTIONS: '--enable-source-maps',
          },
        },
      },
      { parent, dependsOn: [policy, logGroup] },
    );
    functions.set(name, { definition, fn, role, policy, logGroup });
  }
  return functions;
}
