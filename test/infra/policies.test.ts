import type { ModelBinding } from '../../functions/records/table';
import { type FunctionDefinition, QUOTA_RESET, ROUTES } from '../../functions/routes';
import { type AccountScope, bedrockModelArns, functionPolicy, openAiKeySecretArns } from '../../infra/aws/policies';
import { wildcardGrants } from './iam';

const scope: AccountScope = {
  partition: 'aws',
  region: 'eu-west-1',
  accountId: '123456789012',
  dnsSuffix: 'amazonaws.com',
};
const TABLE = 'arn:aws:dynamodb:eu-west-1:123456789012:table/perch-abc';
const LOGS = 'arn:aws:logs:eu-west-1:123456789012:log-group:/perch/perch/dev/messages';
const SESSION_SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:session-signing-1a2b3c-AbCdEf';
const MODELS: ModelBinding[] = [
  { provider: 'faq' },
  { provider: 'bedrock', modelId: 'anthropic.claude-3-5-haiku-20241022-v1:0' },
  { provider: 'bedrock', modelId: 'meta.llama3-8b-instruct-v1:0', region: 'us-west-2' },
  { provider: 'openai', baseUrl: 'https://llm.example.com/v1', model: 'm', apiKeySecret: 'perch/llm' },
  { provider: 'openai', baseUrl: 'http://localhost:11434/v1', model: 'm', apiKeyEnv: 'LOCAL_KEY' },
];
const route = (name: string) => ROUTES.find((r) => r.name === name)!;
const policyOf = (fn: FunctionDefinition, models = MODELS) =>
  functionPolicy(fn, { scope, tableArn: TABLE, logGroupArn: LOGS, sessionSecretArn: SESSION_SECRET, models });
const statement = (fn: FunctionDefinition, sid: string, models = MODELS) =>
  policyOf(fn, models).Statement.find((s) => s.Sid === sid);

describe('wildcardGrants (the check every IAM test relies on)', () => {
  test.each([
    ['Action *', { Effect: 'Allow', Action: '*', Resource: TABLE }, ['Statement[0]: Action *']],
    [
      'a service wildcard',
      { Effect: 'Allow', Action: ['dynamodb:*'], Resource: [TABLE] },
      ['Statement[0]: Action dynamodb:*'],
    ],
    [
      'a prefix wildcard',
      { Effect: 'Allow', Action: ['s3:Get*'], Resource: [TABLE] },
      ['Statement[0]: Action s3:Get*'],
    ],
    ['Resource *', { Effect: 'Allow', Action: ['dynamodb:GetItem'], Resource: '*' }, ['Statement[0]: Resource *']],
    [
      'a table wildcard',
      { Effect: 'Allow', Action: ['dynamodb:Query'], Resource: [`${TABLE}/index/*`] },
      [`Statement[0]: Resource ${TABLE}/index/*`],
    ],
    [
      'another log group',
      {
        Effect: 'Allow',
        Action: ['logs:PutLogEvents'],
        Resource: ['arn:aws:logs:eu-west-1:123456789012:log-group:*:log-stream:*'],
      },
      ['Statement[0]: Resource arn:aws:logs:eu-west-1:123456789012:log-group:*:log-stream:*'],
    ],
    ['NotAction', { Effect: 'Allow', NotAction: ['iam:*'], Resource: [TABLE] }, ['Statement[0]: NotAction']],
    [
      'a * principal',
      { Effect: 'Allow', Principal: { AWS: '*' }, Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::b/k'] },
      ['Statement[0]: Principal *'],
    ],
    ['own log streams', { Effect: 'Allow', Action: ['logs:PutLogEvents'], Resource: [`${LOGS}:log-stream:*`] }, []],
    ['exact grants', { Effect: 'Allow', Action: ['dynamodb:GetItem'], Resource: [TABLE] }, []],
    ['a Deny', { Effect: 'Deny', Action: '*', Resource: '*' }, []],
  ])('%s', (_label, statementValue, expected) => {
    expect(wildcardGrants({ Statement: [statementValue] })).toEqual(expected);
  });
});

describe('function policies derived from functions/routes.ts', () => {
  test.each([...ROUTES, QUOTA_RESET].map((fn) => [fn.name, fn] as const))('%s grants no wildcard', (_name, fn) => {
    expect(wildcardGrants(policyOf(fn))).toEqual([]);
  });

  test.each([...ROUTES, QUOTA_RESET].map((fn) => [fn.name, fn] as const))(
    '%s gets exactly its declared table actions',
    (_name, fn) => {
      const table = statement(fn, 'Table')!;
      expect(table.Action.sort()).toEqual(fn.tableActions.map((a) => `dynamodb:${a}`).sort());
      expect(table.Resource).toEqual(fn.queriesManagedIndex ? [TABLE, `${TABLE}/index/managed`] : [TABLE]);
    },
  );

  test('only functions that declare the session secret may read it', () => {
    for (const fn of [...ROUTES, QUOTA_RESET]) {
      const secrets = statement(fn, 'Secrets')?.Resource ?? [];
      expect(secrets.includes(SESSION_SECRET)).toBe(fn.sessionSecret);
    }
  });

  test('the model-calling function may stream exactly the configured Bedrock foundation models', () => {
    expect(statement(route('messages'), 'BedrockModels')).toEqual({
      Sid: 'BedrockModels',
      Effect: 'Allow',
      Action: ['bedrock:InvokeModelWithResponseStream'],
      Resource: [
        'arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0',
        'arn:aws:bedrock:us-west-2::foundation-model/meta.llama3-8b-instruct-v1:0',
      ],
    });
    for (const fn of [...ROUTES, QUOTA_RESET].filter((f) => !f.invokesModels))
      expect(statement(fn, 'BedrockModels')).toBeUndefined();
  });

  test('the model-calling function reads the OpenAI-compatible key secrets by name, and nothing else does', () => {
    const keySecret = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:perch/llm-??????';
    expect(statement(route('messages'), 'Secrets')!.Resource).toEqual([SESSION_SECRET, keySecret]);
    expect(statement(route('sessions'), 'Secrets')!.Resource).toEqual([SESSION_SECRET]);
    expect(
      openAiKeySecretArns(
        [
          {
            provider: 'openai',
            baseUrl: 'https://x/v1',
            model: 'm',
            apiKeySecret: 'arn:aws:secretsmanager:us-east-1:1:secret:k-AbCdEf',
          },
        ],
        scope,
      ),
    ).toEqual(['arn:aws:secretsmanager:us-east-1:1:secret:k-AbCdEf']);
  });

  test('only the sessions function reads the identity secrets, by name or ARN, and a wildcard is refused', () => {
    const identitySecrets = ['perch/site-identity', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:id-AbCdEf'];
    const options = { scope, tableArn: TABLE, logGroupArn: LOGS, sessionSecretArn: SESSION_SECRET, models: MODELS };
    const secretsOf = (fn: FunctionDefinition, secrets = identitySecrets) =>
      functionPolicy(fn, { ...options, identitySecrets: secrets }).Statement.find((s) => s.Sid === 'Secrets')?.Resource;
    expect(secretsOf(route('sessions'))).toEqual([
      SESSION_SECRET,
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:perch/site-identity-??????',
      identitySecrets[1],
    ]);
    for (const fn of [...ROUTES, QUOTA_RESET].filter((f) => f.name !== 'sessions')) {
      expect((secretsOf(fn) ?? []).some((arn) => arn.includes('identity'))).toBe(false);
    }
    expect(() => secretsOf(route('sessions'), ['site/*'])).toThrow(
      /identity.secretSecret "site\/\*" contains an IAM wildcard/,
    );
  });

  test('with only faq models the messages function gets no Bedrock statement at all (never an empty or * one)', () => {
    const policy = policyOf(route('messages'), [{ provider: 'faq' }]);
    expect(policy.Statement.map((s) => s.Sid)).toEqual(['WriteOwnLogs', 'Table', 'Secrets']);
  });

  test('only a function that reads knowledge may s3:GetObject, on exactly the artifacts it is given', () => {
    const artifacts = ['arn:aws:s3:::perch-knowledge-1/bbbb.json.gz', 'arn:aws:s3:::perch-knowledge-1/aaaa.json.gz'];
    const knowledgePolicyOf = (fn: FunctionDefinition, knowledgeArtifactArns: string[]) =>
      functionPolicy(fn, {
        scope,
        tableArn: TABLE,
        logGroupArn: LOGS,
        sessionSecretArn: SESSION_SECRET,
        models: MODELS,
        knowledgeArtifactArns,
      });

    expect(knowledgePolicyOf(route('messages'), artifacts).Statement.at(-1)).toEqual({
      Sid: 'KnowledgeArtifacts',
      Effect: 'Allow',
      Action: ['s3:GetObject'],
      Resource: [...artifacts].sort(),
    });
    for (const fn of [...ROUTES, QUOTA_RESET].filter((f) => !f.readsKnowledge)) {
      expect(knowledgePolicyOf(fn, artifacts).Statement.map((s) => s.Sid)).not.toContain('KnowledgeArtifacts');
    }
    // No artifact deployed: no statement at all, never an empty or * one.
    expect(knowledgePolicyOf(route('messages'), []).Statement.map((s) => s.Sid)).not.toContain('KnowledgeArtifacts');
    expect(policyOf(route('messages')).Statement.map((s) => s.Sid)).not.toContain('KnowledgeArtifacts');
  });

  test('sqs:SendMessage only for the failure queues a function is given, on exactly those', () => {
    const queue = 'arn:aws:sqs:eu-west-1:123456789012:quota-reset-dlq-1a2b3c';
    const options = { scope, tableArn: TABLE, logGroupArn: LOGS, sessionSecretArn: SESSION_SECRET, models: MODELS };
    expect(functionPolicy(QUOTA_RESET, { ...options, failureQueueArns: [queue] }).Statement.at(-1)).toEqual({
      Sid: 'FailedRuns',
      Effect: 'Allow',
      Action: ['sqs:SendMessage'],
      Resource: [queue],
    });
    // None given: no statement at all, never an empty or * one.
    for (const fn of [...ROUTES, QUOTA_RESET]) {
      const actions = functionPolicy(fn, { ...options, failureQueueArns: [] }).Statement.flatMap((s) => s.Action);
      expect(actions.filter((action) => action.startsWith('sqs:'))).toEqual([]);
    }
  });

  test.each([
    [
      'a Bedrock model id with *',
      { provider: 'bedrock', modelId: 'anthropic.*' } as ModelBinding,
      /Bedrock modelId "anthropic\.\*" contains an IAM wildcard/,
    ],
    [
      'a secret name with *',
      { provider: 'openai', baseUrl: 'https://x/v1', model: 'm', apiKeySecret: 'prod/*' } as ModelBinding,
      /apiKeySecret "prod\/\*" contains an IAM wildcard/,
    ],
    [
      'a secret ARN with ?',
      {
        provider: 'openai',
        baseUrl: 'https://x/v1',
        model: 'm',
        apiKeySecret: 'arn:aws:secretsmanager:eu-west-1:1:secret:?',
      } as ModelBinding,
      /IAM wildcard/,
    ],
  ])('a config cannot smuggle a wildcard into a policy: %s', (_label, model, message) => {
    expect(() => policyOf(route('messages'), [model])).toThrow(message);
    expect(() => bedrockModelArns([model], scope).concat(openAiKeySecretArns([model], scope))).toThrow(message);
  });
});
