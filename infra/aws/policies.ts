import { MANAGED_INDEX, type ModelBinding } from '../../functions/records/table';
import type { FunctionDefinition } from '../../functions/routes';
import { modelRegions, parseBedrockModelId, profileRegionProblem } from '../config/bedrock-model-id';

/** One IAM policy statement; every Action and Resource is spelled out (no `*` grants). */
export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string[];
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/** The account facts ARNs are built from (`aws.getPartition/getRegion/getCallerIdentity`). */
export interface AccountScope {
  partition: string;
  region: string;
  accountId: string;
  /** `amazonaws.com` (or the partition's own suffix). */
  dnsSuffix: string;
}

export interface FunctionPolicyOptions {
  scope: AccountScope;
  tableArn: string;
  /** The function's own log group ARN (without the `:*` suffix). */
  logGroupArn: string;
  sessionSecretArn: string;
  /** The model bindings of the widgets this stack serves. */
  models: readonly ModelBinding[];
  /** The widgets' `identity.secretSecret` names or ARNs. */
  identitySecrets?: readonly string[];
  /** ARNs of the deployed knowledge artifacts (`arn:aws:s3:::<bucket>/<digest>.json.gz`), if any. */
  knowledgeArtifactArns?: readonly string[];
  /** SQS queues this function's failed asynchronous runs are sent to (its on-failure destination). */
  failureQueueArns?: readonly string[];
}

/**
 * The least-privilege policy of one function, derived from what `functions/routes.ts` says it
 * uses: its DynamoDB actions on the table (and the `managed` index when it queries), the
 * session secret, and — for functions that call models — streaming invocation of exactly the
 * Bedrock foundation models and the OpenAI-compatible API key secrets the config binds, and —
 * for functions that read knowledge — `s3:GetObject` on exactly the deployed artifacts, and
 * `sqs:SendMessage` on the queues its failed asynchronous runs go to, if it is given any.
 * Statements with nothing to grant are left out rather than written with a wildcard.
 */
export function functionPolicy(fn: FunctionDefinition, options: FunctionPolicyOptions): PolicyDocument {
  const { scope, tableArn, logGroupArn, sessionSecretArn, models, knowledgeArtifactArns = [] } = options;
  const failureQueues = [...new Set(options.failureQueueArns ?? [])].sort();
  const identitySecrets = fn.verifiesIdentity ? (options.identitySecrets ?? []) : [];
  const statements: PolicyStatement[] = [
    {
      Sid: 'WriteOwnLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      // Lambda names its log streams at run time (date + instance id), so the streams of this
      // one log group are the narrowest resource IAM can express for them.
      Resource: [`${logGroupArn}:log-stream:*`],
    },
  ];
  if (fn.tableActions.length > 0) {
    statements.push({
      Sid: 'Table',
      Effect: 'Allow',
      Action: [...new Set(fn.tableActions)].sort().map((action) => `dynamodb:${action}`),
      Resource: fn.queriesManagedIndex ? [tableArn, `${tableArn}/index/${MANAGED_INDEX}`] : [tableArn],
    });
  }
  const secrets = [
    ...(fn.sessionSecret ? [sessionSecretArn] : []),
    ...(fn.invokesModels ? openAiKeySecretArns(models, scope) : []),
    ...identitySecrets.map((secret) => secretArn(literal(secret, 'identity.secretSecret'), scope)),
  ];
  if (secrets.length > 0) {
    statements.push({
      Sid: 'Secrets',
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue'],
      Resource: [...new Set(secrets)],
    });
  }
  const foundationModels = fn.invokesModels ? bedrockModelArns(models, scope) : [];
  if (foundationModels.length > 0) {
    statements.push({
      Sid: 'BedrockModels',
      Effect: 'Allow',
      // ConverseStream is authorised as InvokeModelWithResponseStream.
      Action: ['bedrock:InvokeModelWithResponseStream'],
      Resource: foundationModels,
    });
  }
  const artifacts = fn.readsKnowledge ? [...new Set(knowledgeArtifactArns)].sort() : [];
  if (artifacts.length > 0) {
    statements.push({
      Sid: 'KnowledgeArtifacts',
      Effect: 'Allow',
      // Objects only: without s3:ListBucket a missing artifact reads as AccessDenied (bot_not_ready).
      Action: ['s3:GetObject'],
      Resource: artifacts,
    });
  }
  if (failureQueues.length > 0) {
    statements.push({
      Sid: 'FailedRuns',
      Effect: 'Allow',
      // Lambda sends a failed async run's record to the destination with the function's own role.
      Action: ['sqs:SendMessage'],
      Resource: failureQueues,
    });
  }
  return { Version: '2012-10-17', Statement: statements };
}

/**
 * What the Bedrock bindings may stream, called in the binding's region or the stack's: a foundation
 * model there; for a cross-Region inference profile, the profile there and the model in every Region
 * it routes to (`modelRegions`). A profile that region cannot call fails the deploy, as `check` does.
 */
export function bedrockModelArns(models: readonly ModelBinding[], scope: AccountScope): string[] {
  const arns = models.flatMap((model) => {
    if (model.provider !== 'bedrock') return [];
    const region = model.region ?? scope.region;
    const refuse = (problem: string) => new Error(`Bedrock modelId ${JSON.stringify(model.modelId)}: ${problem}`);
    const target = parseBedrockModelId(literal(model.modelId, 'Bedrock modelId'));
    if ('problem' in target) throw refuse(target.problem);
    const problem = profileRegionProblem(target, region);
    if (problem) throw refuse(problem);
    const bedrock = `arn:${scope.partition}:bedrock`;
    const profile =
      target.kind === 'profile'
        ? [`${bedrock}:${region}:${scope.accountId}:inference-profile/${target.profileId}`]
        : [];
    return [
      ...profile,
      ...modelRegions(target, region).map((r) => `${bedrock}:${r}::foundation-model/${target.modelId}`),
    ];
  });
  return [...new Set(arns)].sort();
}

/** ARNs of the Secrets Manager secrets holding OpenAI-compatible API keys (see `secretArn`). */
export function openAiKeySecretArns(models: readonly ModelBinding[], scope: AccountScope): string[] {
  const arns = models.flatMap((model) => {
    if (model.provider !== 'openai' || !model.apiKeySecret) return [];
    return [secretArn(literal(model.apiKeySecret, 'apiKeySecret'), scope)];
  });
  return [...new Set(arns)].sort();
}

/**
 * A secret named in the config matches `secret:<name>-??????` (Secrets Manager appends six random
 * characters to every ARN; `?` matches exactly one); a full ARN is used as written.
 */
const secretArn = (secret: string, scope: AccountScope) =>
  secret.startsWith('arn:')
    ? secret
    : `arn:${scope.partition}:secretsmanager:${scope.region}:${scope.accountId}:secret:${secret}-??????`;

/** The trust policy that lets one AWS service assume a role, only on behalf of this account. */
export function serviceTrustPolicy(service: string, accountId?: string): object {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: service },
        Action: 'sts:AssumeRole',
        ...(accountId ? { Condition: { StringEquals: { 'aws:SourceAccount': accountId } } } : {}),
      },
    ],
  };
}

/** A name from the config must not smuggle an IAM wildcard into a policy. */
function literal(value: string, what: string): string {
  if (/[*?]/.test(value))
    throw new Error(`${what} ${JSON.stringify(value)} contains an IAM wildcard (* or ?); name one model or secret`);
  return value;
}
