import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DEFAULT_TABLE_NAME } from '../../functions/records/table';
import { FUNCTION_ENV } from '../../functions/routes';
import { ensureTable, startLocalDatabase } from '../../infra/local/database';
import { DEV, useDeployedProgram } from './deployed-program';
import { ALL_FUNCTIONS } from './fixtures';
import { wildcardGrants } from './iam';
import { ACCOUNT_ID, MockEngine, REGION } from './mock-engine';

// The Pulumi program under the mock engine (see deployed-program.ts):
// the DynamoDB table, the functions, their roles and log groups, and the names Perch fixes.
const program = useDeployedProgram('program-table-and-functions');
const { one, outputsOf, lambdaNamed, policyOfRole, deployPerch } = program;

describe('the DynamoDB table', () => {
  test('has the keys, the sparse managed and conversation indexes, TTL on expiresAt, PITR and encryption', () => {
    expect(one('aws:dynamodb/table:Table').inputs).toEqual({
      billingMode: 'PAY_PER_REQUEST',
      hashKey: 'pk',
      rangeKey: 'sk',
      attributes: [
        { name: 'pk', type: 'S' },
        { name: 'sk', type: 'S' },
        { name: 'managedBy', type: 'S' },
        { name: 'widgetId', type: 'S' },
        { name: 'sub', type: 'S' },
        { name: 'createdAt', type: 'N' },
      ],
      globalSecondaryIndexes: [
        {
          name: 'managed',
          keySchemas: [
            { attributeName: 'managedBy', keyType: 'HASH' },
            { attributeName: 'pk', keyType: 'RANGE' },
          ],
          projectionType: 'ALL',
        },
        {
          name: 'conversations',
          keySchemas: [
            { attributeName: 'widgetId', keyType: 'HASH' },
            { attributeName: 'createdAt', keyType: 'RANGE' },
          ],
          projectionType: 'KEYS_ONLY',
        },
        {
          name: 'conversations-by-sub',
          keySchemas: [
            { attributeName: 'sub', keyType: 'HASH' },
            { attributeName: 'createdAt', keyType: 'RANGE' },
          ],
          projectionType: 'KEYS_ONLY',
        },
      ],
      ttl: { attributeName: 'expiresAt', enabled: true },
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true },
      deletionProtectionEnabled: false,
    });
  });

  test('has the same key schema and index as the table the local target creates', async () => {
    const database = await startLocalDatabase();
    try {
      await ensureTable(database.client, DEFAULT_TABLE_NAME);
      const { Table } = await database.client.send(new DescribeTableCommand({ TableName: DEFAULT_TABLE_NAME }));
      const aws = one('aws:dynamodb/table:Table').inputs;
      expect(Table!.KeySchema).toEqual([
        { AttributeName: aws.hashKey, KeyType: 'HASH' },
        { AttributeName: aws.rangeKey, KeyType: 'RANGE' },
      ]);
      expect(
        Table!.GlobalSecondaryIndexes!.map((i) => ({
          name: i.IndexName,
          keys: i.KeySchema,
          projection: i.Projection?.ProjectionType,
        })),
      ).toEqual(
        aws.globalSecondaryIndexes.map((i: any) => ({
          name: i.name,
          keys: i.keySchemas.map((k: any) => ({ AttributeName: k.attributeName, KeyType: k.keyType })),
          projection: i.projectionType,
        })),
      );
      expect(Table!.BillingModeSummary?.BillingMode ?? 'PAY_PER_REQUEST').toBe(aws.billingMode);
    } finally {
      await database.close();
    }
  });

  test('a production stack turns on deletion protection and protects the table in Pulumi', async () => {
    const production = await new MockEngine().run(() => deployPerch({ ...DEV, production: true }), { stack: 'prod' });
    const table = production.byType('aws:dynamodb/table:Table')[0]!;
    expect(table.inputs.deletionProtectionEnabled).toBe(true);
    expect(table.protect).toBe(true);
    expect(one('aws:dynamodb/table:Table').protect).toBe(false);
  });
});

describe('the functions', () => {
  test.each(ALL_FUNCTIONS.map((fn) => [fn.name, fn] as const))(
    '%s runs its own minified bundle on nodejs22.x arm64',
    (name, fn) => {
      const lambda = lambdaNamed(name);
      expect(lambda.type).toBe('aws:lambda/function:Function');
      expect(lambda.inputs).toMatchObject({
        runtime: 'nodejs22.x',
        architectures: ['arm64'],
        handler: 'index.handler',
      });
      const bundle = program.bundles.find((b) => b.name === name)!;
      expect(lambda.inputs.code.path).toBe(bundle.dir);
      expect(existsSync(join(bundle.dir, 'index.js'))).toBe(true);
      expect(existsSync(join(bundle.dir, 'index.js.map'))).toBe(true);
      expect(lambda.inputs.environment.variables[FUNCTION_ENV.table]).toBe(outputsOf('aws:dynamodb/table:Table').name);
      expect(lambda.inputs.environment.variables[FUNCTION_ENV.sessionSecretArn]).toBe(
        fn.sessionSecret ? outputsOf('aws:secretsmanager/secret:Secret').arn : undefined,
      );
      expect(lambda.inputs.loggingConfig.logGroup).toBe(`/perch/perch/dev/${name}`);
    },
  );

  test.each(ALL_FUNCTIONS.map((fn) => [fn.name, fn] as const))(
    '%s has its own role whose policy grants no wildcard',
    (name, fn) => {
      const lambda = lambdaNamed(name);
      const role = program.deployment.byType('aws:iam/role:Role').find((r) => r.outputs.arn === lambda.inputs.role)!;
      expect(JSON.parse(role.inputs.assumeRolePolicy).Statement).toEqual([
        { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ]);
      const policy = policyOfRole(role.name);
      expect(wildcardGrants(policy)).toEqual([]);
      const table = policy.Statement.find((s: any) => s.Sid === 'Table');
      expect(table.Action).toEqual([...fn.tableActions].sort().map((a) => `dynamodb:${a}`));
      expect(table.Resource[0]).toBe(outputsOf('aws:dynamodb/table:Table').arn);
      expect(policy.Statement.find((s: any) => s.Sid === 'WriteOwnLogs').Resource).toEqual([
        `arn:aws:logs:${REGION}:${ACCOUNT_ID}:log-group:/perch/perch/dev/${name}:log-stream:*`,
      ]);
    },
  );

  test('only the messages function may call models: the Bedrock models the widgets use, the gateway key secret', () => {
    const messages = policyOfRole('messages-role');
    // claude is the eu. profile (called in the stack's region, routed to any EU region), llama a model in us-west-2.
    const haiku = 'anthropic.claude-haiku-4-5-20251001-v1:0';
    const euRegions = ['central-1', 'central-2', 'north-1', 'south-1', 'south-2', 'west-1', 'west-2', 'west-3'];
    expect(messages.Statement.find((s: any) => s.Sid === 'BedrockModels').Resource).toEqual(
      [
        ...euRegions.map((region) => `arn:aws:bedrock:eu-${region}::foundation-model/${haiku}`),
        `arn:aws:bedrock:${REGION}:${ACCOUNT_ID}:inference-profile/eu.${haiku}`,
        'arn:aws:bedrock:us-west-2::foundation-model/meta.llama3-8b-instruct-v1:0',
      ].sort(),
    );
    expect(messages.Statement.find((s: any) => s.Sid === 'Secrets').Resource).toEqual([
      outputsOf('aws:secretsmanager/secret:Secret').arn,
      `arn:aws:secretsmanager:${REGION}:${ACCOUNT_ID}:secret:perch/llm-gateway-??????`,
    ]);
    for (const fn of ALL_FUNCTIONS.filter((f) => f.name !== 'messages')) {
      const sids = policyOfRole(`${fn.name}-role`).Statement.map((s: any) => s.Sid);
      expect(sids).not.toContain('BedrockModels');
    }
  });

  test("only the sessions function may read the widgets' identity secrets", () => {
    const identitySecret = `arn:aws:secretsmanager:${REGION}:${ACCOUNT_ID}:secret:perch/support-identity-??????`;
    const sessions = policyOfRole('sessions-role');
    expect(sessions.Statement.find((s: any) => s.Sid === 'Secrets').Resource).toEqual([
      outputsOf('aws:secretsmanager/secret:Secret').arn,
      identitySecret,
    ]);
    for (const fn of ALL_FUNCTIONS.filter((f) => f.name !== 'sessions')) {
      const secrets = policyOfRole(`${fn.name}-role`).Statement.find((s: any) => s.Sid === 'Secrets');
      expect(secrets?.Resource ?? []).not.toContain(identitySecret);
    }
  });

  test('no function may query the conversation indexes: only operators list and erase conversations', () => {
    const tableArn = outputsOf('aws:dynamodb/table:Table').arn;
    const grants = program.deployment
      .byType('aws:iam/rolePolicy:RolePolicy')
      .flatMap((r) => JSON.parse(r.inputs.policy).Statement.flatMap((s: any) => [s.Resource].flat()));
    const indexGrants = grants.filter((resource: string) => resource.startsWith(`${tableArn}/index/`));
    expect(indexGrants).toEqual([`${tableArn}/index/managed`]);
    expect(policyOfRole('quota-reset-role').Statement.find((s: any) => s.Sid === 'Table').Resource).toEqual([
      tableArn,
      `${tableArn}/index/managed`,
    ]);
  });

  test('no IAM statement anywhere in the stack grants a wildcard', () => {
    const documents = [
      ...program.deployment.byType('aws:iam/rolePolicy:RolePolicy').map((r) => r.inputs.policy),
      ...program.deployment.byType('aws:iam/role:Role').map((r) => r.inputs.assumeRolePolicy),
      ...program.deployment.byType('aws:s3/bucketPolicy:BucketPolicy').map((r) => r.inputs.policy),
    ];
    expect(documents.length).toBe(ALL_FUNCTIONS.length * 2 + 2 + 1);
    expect(documents.flatMap((d) => wildcardGrants(d))).toEqual([]);
    expect(program.deployment.byType('aws:iam/rolePolicyAttachment:RolePolicyAttachment')).toEqual([]);
    expect(program.deployment.byType('aws:iam/policy:Policy')).toEqual([]);
  });
});

describe('the names Perch fixes', () => {
  test("another project's stack of the same name gets log groups and log grants of its own", async () => {
    const docs = await new MockEngine().run(() => deployPerch(), { project: 'perch-docs', stack: 'dev' });
    const logGroups = (deployment: typeof docs) =>
      deployment.byType('aws:cloudwatch/logGroup:LogGroup').map((group) => group.inputs.name);
    expect(logGroups(docs).sort()).toEqual(ALL_FUNCTIONS.map((fn) => `/perch/perch-docs/dev/${fn.name}`).sort());
    expect(logGroups(docs).filter((name) => logGroups(program.deployment).includes(name))).toEqual([]);
    const policy = docs.byType('aws:iam/rolePolicy:RolePolicy').find((p) => p.name === 'messages-policy')!;
    expect(JSON.parse(policy.inputs.policy).Statement[0]).toMatchObject({
      Sid: 'WriteOwnLogs',
      Resource: [`arn:aws:logs:${REGION}:${ACCOUNT_ID}:log-group:/perch/perch-docs/dev/messages:log-stream:*`],
    });
  });

  test('log groups are the only physical names: every other AWS name is left to Pulumi (a random suffix)', () => {
    const named = program.deployment.resources.filter(
      (r) =>
        r.type.startsWith('aws:') &&
        (r.inputs.name !== undefined ||
          r.inputs.namePrefix !== undefined ||
          (r.type === 'aws:s3/bucket:Bucket' && r.inputs.bucket !== undefined)),
    );
    expect(named.map((r) => r.type)).toEqual(ALL_FUNCTIONS.map(() => 'aws:cloudwatch/logGroup:LogGroup'));
  });
});
