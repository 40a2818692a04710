import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { EDGE_SECRET_HEADER } from '../../functions/http/request';
import { DEFAULT_TABLE_NAME } from '../../functions/records/table';
import { FUNCTION_ENV, QUOTA_RESET, ROUTES } from '../../functions/routes';
import {
  ALL_VIEWER_EXCEPT_HOST_POLICY,
  CACHING_DISABLED_POLICY,
  CACHING_OPTIMIZED_POLICY,
  listLoaderFiles,
} from '../../infra/aws/loader-hosting';
import { createPerch } from '../../infra/aws/perch';
import type { StackSettings } from '../../infra/aws/stack-settings';
import type { FunctionBundle } from '../../infra/build/bundle-functions';
import { ensureTable, startLocalDatabase } from '../../infra/local/database';
import { widgetSnippet } from '../../infra/state/outputs';
import { ALL_FUNCTIONS, bundleAll, fakeLoaderBuild, resolvedTestConfig, scratchDir } from './fixtures';
import { wildcardGrants } from './iam';
import { ACCOUNT_ID, type Deployment, MockEngine, type MockResource, REGION } from './mock-engine';

const DEV: StackSettings = {
  configFile: 'widgets.config.ts',
  production: false,
  priceClass: 'PriceClass_100',
  logRetentionDays: 30,
};

let root: string;
let bundles: FunctionBundle[];
let loaderDir: string;
let deployment: Deployment<ReturnType<typeof deployPerch>>;

function deployPerch(settings: StackSettings = DEV) {
  const perch = createPerch({
    config: resolvedTestConfig(),
    bundles,
    loaderFiles: listLoaderFiles(loaderDir),
    settings,
  });
  return { outputs: perch.outputs };
}

beforeAll(async () => {
  root = scratchDir('program');
  [bundles] = await Promise.all([bundleAll(root)]);
  loaderDir = fakeLoaderBuild(root);
  deployment = await new MockEngine().run(() => deployPerch());
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

const one = (type: string): MockResource => {
  const found = deployment.byType(type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0]!;
};
const outputsOf = (type: string) => one(type).outputs;
const lambdaNamed = (name: string) => deployment.byType('aws:lambda/function:Function').find((f) => f.name === name)!;
const policyOfRole = (roleName: string) => {
  const role = deployment.named(roleName);
  const policy = deployment.byType('aws:iam/rolePolicy:RolePolicy').find((p) => p.inputs.role === role.id)!;
  return JSON.parse(policy.inputs.policy);
};

describe('the DynamoDB table', () => {
  test('has the keys, the sparse managed index, TTL on expiresAt, PITR and encryption', () => {
    expect(one('aws:dynamodb/table:Table').inputs).toEqual({
      billingMode: 'PAY_PER_REQUEST',
      hashKey: 'pk',
      rangeKey: 'sk',
      attributes: [
        { name: 'pk', type: 'S' },
        { name: 'sk', type: 'S' },
        { name: 'managedBy', type: 'S' },
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
      const bundle = bundles.find((b) => b.name === name)!;
      expect(lambda.inputs.code.path).toBe(bundle.dir);
      expect(existsSync(join(bundle.dir, 'index.js'))).toBe(true);
      expect(existsSync(join(bundle.dir, 'index.js.map'))).toBe(true);
      expect(lambda.inputs.environment.variables[FUNCTION_ENV.table]).toBe(outputsOf('aws:dynamodb/table:Table').name);
      expect(lambda.inputs.environment.variables[FUNCTION_ENV.sessionSecretArn]).toBe(
        fn.sessionSecret ? outputsOf('aws:secretsmanager/secret:Secret').arn : undefined,
      );
      expect(lambda.inputs.loggingConfig.logGroup).toBe(`/perch/dev/${name}`);
    },
  );

  test.each(ALL_FUNCTIONS.map((fn) => [fn.name, fn] as const))(
    '%s has its own role whose policy grants no wildcard',
    (name, fn) => {
      const lambda = lambdaNamed(name);
      const role = deployment.byType('aws:iam/role:Role').find((r) => r.outputs.arn === lambda.inputs.role)!;
      expect(JSON.parse(role.inputs.assumeRolePolicy).Statement).toEqual([
        { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ]);
      const policy = policyOfRole(role.name);
      expect(wildcardGrants(policy)).toEqual([]);
      const table = policy.Statement.find((s: any) => s.Sid === 'Table');
      expect(table.Action).toEqual([...fn.tableActions].sort().map((a) => `dynamodb:${a}`));
      expect(table.Resource[0]).toBe(outputsOf('aws:dynamodb/table:Table').arn);
      expect(policy.Statement.find((s: any) => s.Sid === 'WriteOwnLogs').Resource).toEqual([
        `arn:aws:logs:${REGION}:${ACCOUNT_ID}:log-group:/perch/dev/${name}:log-stream:*`,
      ]);
    },
  );

  test('only the messages function may call models: the Bedrock models the widgets use, the gateway key secret', () => {
    const messages = policyOfRole('messages-role');
    expect(messages.Statement.find((s: any) => s.Sid === 'BedrockModels').Resource).toEqual([
      `arn:aws:bedrock:${REGION}::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0`,
      'arn:aws:bedrock:us-west-2::foundation-model/meta.llama3-8b-instruct-v1:0',
    ]);
    expect(messages.Statement.find((s: any) => s.Sid === 'Secrets').Resource).toEqual([
      outputsOf('aws:secretsmanager/secret:Secret').arn,
      `arn:aws:secretsmanager:${REGION}:${ACCOUNT_ID}:secret:perch/llm-gateway-??????`,
    ]);
    for (const fn of ALL_FUNCTIONS.filter((f) => f.name !== 'messages')) {
      const sids = policyOfRole(`${fn.name}-role`).Statement.map((s: any) => s.Sid);
      expect(sids).not.toContain('BedrockModels');
    }
  });

  test('no IAM statement anywhere in the stack grants a wildcard', () => {
    const documents = [
      ...deployment.byType('aws:iam/rolePolicy:RolePolicy').map((r) => r.inputs.policy),
      ...deployment.byType('aws:iam/role:Role').map((r) => r.inputs.assumeRolePolicy),
      ...deployment.byType('aws:s3/bucketPolicy:BucketPolicy').map((r) => r.inputs.policy),
    ];
    expect(documents.length).toBe(ALL_FUNCTIONS.length * 2 + 2 + 1);
    expect(documents.flatMap((d) => wildcardGrants(d))).toEqual([]);
    expect(deployment.byType('aws:iam/rolePolicyAttachment:RolePolicyAttachment')).toEqual([]);
    expect(deployment.byType('aws:iam/policy:Policy')).toEqual([]);
  });
});

describe('the REST API', () => {
  const pathOf = (resourceId: string): string => {
    if (resourceId === 'root0000') return '';
    const resource = deployment.byType('aws:apigateway/resource:Resource').find((r) => r.id === resourceId)!;
    return `${pathOf(resource.inputs.parentId)}/${resource.inputs.pathPart}`;
  };
  const functionArn = (name: string) => lambdaNamed(name).outputs.arn;

  test('is one regional REST API', () => {
    expect(one('aws:apigateway/restApi:RestApi').inputs.endpointConfiguration).toEqual({ types: 'REGIONAL' });
    expect(deployment.byType('aws:apigatewayv2/api:Api')).toEqual([]);
  });

  test.each(ROUTES.flatMap((r) => r.methods.map((m) => [`${m} ${r.resource}`, r, m] as const)))(
    '%s is a Lambda proxy integration to its function',
    (_label, route, method) => {
      const methodResource = deployment
        .byType('aws:apigateway/method:Method')
        .find((m) => m.inputs.httpMethod === method && pathOf(m.inputs.resourceId) === route.resource)!;
      expect(methodResource.inputs.authorization).toBe('NONE');
      const integration = deployment
        .byType('aws:apigateway/integration:Integration')
        .find((i) => i.inputs.httpMethod === method && i.inputs.resourceId === methodResource.inputs.resourceId)!;
      expect(integration.inputs).toMatchObject({ type: 'AWS_PROXY', integrationHttpMethod: 'POST' });
      const version = route.streaming ? '2021-11-15' : '2015-03-31';
      const api = route.streaming ? 'response-streaming-invocations' : 'invocations';
      expect(integration.inputs.uri).toBe(
        `arn:aws:apigateway:${REGION}:lambda:path/${version}/functions/${functionArn(route.name)}/${api}`,
      );
      expect(integration.inputs.responseTransferMode).toBe(route.streaming ? 'STREAM' : undefined);
      const permission = deployment.named(`${route.name}-${method.toLowerCase()}-invoke`);
      expect(permission.inputs).toMatchObject({
        action: 'lambda:InvokeFunction',
        principal: 'apigateway.amazonaws.com',
        function: lambdaNamed(route.name).outputs.name,
      });
      const executionArn = outputsOf('aws:apigateway/restApi:RestApi').executionArn;
      expect(permission.inputs.sourceArn).toBe(
        `${executionArn}/live/${method}${route.resource.replace(/\{[^}]+\}/g, '*')}`,
      );
    },
  );

  test('the messages route streams for up to the function timeout', () => {
    const messages = ROUTES.find((r) => r.streaming)!;
    expect(messages.name).toBe('messages');
    const integration = deployment
      .byType('aws:apigateway/integration:Integration')
      .find((i) => i.inputs.uri.includes('response-streaming-invocations'))!;
    expect(integration.inputs.timeoutMilliseconds).toBe(lambdaNamed('messages').inputs.timeout * 1000);
    expect(
      deployment
        .byType('aws:apigateway/integration:Integration')
        .filter((i) => i.inputs.responseTransferMode === 'STREAM'),
    ).toHaveLength(messages.methods.length);
  });

  test('has no CORS configuration and no mock OPTIONS: every method, OPTIONS included, reaches a Lambda', () => {
    const integrations = deployment.byType('aws:apigateway/integration:Integration');
    expect(integrations).toHaveLength(ROUTES.reduce((n, r) => n + r.methods.length, 0));
    expect(integrations.every((i) => i.inputs.type === 'AWS_PROXY')).toBe(true);
    for (const type of [
      'methodResponse:MethodResponse',
      'integrationResponse:IntegrationResponse',
      'gatewayResponse:GatewayResponse',
    ]) {
      expect(deployment.byType(`aws:apigateway/${type}`)).toEqual([]);
    }
    expect(JSON.stringify(deployment.resources.map((r) => r.inputs))).not.toMatch(/Access-Control-Allow/i);
  });

  test('is deployed to the live stage after every method and integration exists', () => {
    const deploymentResource = one('aws:apigateway/deployment:Deployment');
    const methodsAndIntegrations = [
      ...deployment.byType('aws:apigateway/method:Method'),
      ...deployment.byType('aws:apigateway/integration:Integration'),
    ];
    expect(deploymentResource.dependsOn.length).toBeGreaterThanOrEqual(methodsAndIntegrations.length);
    expect(one('aws:apigateway/stage:Stage').inputs).toMatchObject({
      stageName: 'live',
      deployment: deploymentResource.id,
    });
  });
});

describe('the quota reset schedule', () => {
  test('runs the reset function at 00:00 UTC with retries and a dead-letter queue', () => {
    const schedule = one('aws:scheduler/schedule:Schedule').inputs;
    expect(schedule.scheduleExpression).toBe('cron(0 0 * * ? *)');
    expect(schedule.scheduleExpressionTimezone).toBe('UTC');
    expect(schedule.target.arn).toBe(lambdaNamed(QUOTA_RESET.name).outputs.arn);
    expect(schedule.target.retryPolicy.maximumRetryAttempts).toBeGreaterThan(0);
    expect(schedule.target.deadLetterConfig.arn).toBe(outputsOf('aws:sqs/queue:Queue').arn);
  });

  test('its role may invoke only the reset function and write only to its dead-letter queue', () => {
    const role = deployment.named('quota-reset-scheduler-role');
    expect(one('aws:scheduler/schedule:Schedule').inputs.target.roleArn).toBe(role.outputs.arn);
    expect(JSON.parse(role.inputs.assumeRolePolicy).Statement[0]).toMatchObject({
      Principal: { Service: 'scheduler.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT_ID } },
    });
    expect(policyOfRole('quota-reset-scheduler-role').Statement).toEqual([
      {
        Sid: 'InvokeQuotaReset',
        Effect: 'Allow',
        Action: ['lambda:InvokeFunction'],
        Resource: [lambdaNamed(QUOTA_RESET.name).outputs.arn],
      },
      {
        Sid: 'DeadLetters',
        Effect: 'Allow',
        Action: ['sqs:SendMessage'],
        Resource: [outputsOf('aws:sqs/queue:Queue').arn],
      },
    ]);
  });
});

describe('loader hosting', () => {
  test('the bucket blocks all public access and is readable only by this distribution through OAC', () => {
    const bucket = one('aws:s3/bucket:Bucket');
    expect(one('aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock').inputs).toEqual({
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(one('aws:s3/bucketOwnershipControls:BucketOwnershipControls').inputs.rule.objectOwnership).toBe(
      'BucketOwnerEnforced',
    );
    for (const type of [
      'bucketAclV2:BucketAclV2',
      'bucketAcl:BucketAcl',
      'bucketWebsiteConfiguration:BucketWebsiteConfiguration',
    ]) {
      expect(deployment.byType(`aws:s3/${type}`)).toEqual([]);
    }
    const policy = JSON.parse(one('aws:s3/bucketPolicy:BucketPolicy').inputs.policy);
    expect(policy.Statement).toEqual([
      {
        Sid: 'CloudFrontReadsLoaderFiles',
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: ['s3:GetObject'],
        Resource: [`${bucket.outputs.arn}/v1/chat.Q2XJ7KDA.js`, `${bucket.outputs.arn}/v1/loader.js`],
        Condition: { StringEquals: { 'AWS:SourceArn': outputsOf('aws:cloudfront/distribution:Distribution').arn } },
      },
    ]);
    const oac = one('aws:cloudfront/originAccessControl:OriginAccessControl');
    expect(oac.inputs).toMatchObject({
      originAccessControlOriginType: 's3',
      signingBehavior: 'always',
      signingProtocol: 'sigv4',
    });
    const origins = one('aws:cloudfront/distribution:Distribution').inputs.origins;
    const bucketOrigin = origins.find((o: any) => o.domainName === bucket.outputs.bucketRegionalDomainName);
    expect(bucketOrigin.originAccessControlId).toBe(oac.id);
    expect(bucketOrigin.s3OriginConfig).toBeUndefined();
  });

  test('uploads the loader with a short cache and the hashed chat file as immutable', () => {
    const objects = Object.fromEntries(
      deployment.byType('aws:s3/bucketObjectv2:BucketObjectv2').map((o) => [o.inputs.key, o.inputs]),
    );
    expect(Object.keys(objects).sort()).toEqual(['v1/chat.Q2XJ7KDA.js', 'v1/loader.js']);
    expect(objects['v1/loader.js']).toMatchObject({
      cacheControl: 'public, max-age=300',
      contentType: 'text/javascript; charset=utf-8',
    });
    expect(objects['v1/chat.Q2XJ7KDA.js']).toMatchObject({ cacheControl: 'public, max-age=31536000, immutable' });
    expect(objects['v1/loader.js'].source.path).toBe(join(loaderDir, 'loader.js'));
  });

  test('CloudFront serves the loader and the API on one domain, HTTPS only, API uncached with every header', () => {
    const distribution = one('aws:cloudfront/distribution:Distribution').inputs;
    const behaviours = [distribution.defaultCacheBehavior, ...distribution.orderedCacheBehaviors];
    expect(behaviours.every((b: any) => b.viewerProtocolPolicy === 'https-only')).toBe(true);
    expect(distribution.defaultCacheBehavior).toMatchObject({
      compress: true,
      cachePolicyId: CACHING_OPTIMIZED_POLICY,
      allowedMethods: ['GET', 'HEAD'],
    });
    const apiOrigin = distribution.origins.find((o: any) => o.customOriginConfig);
    expect(apiOrigin).toMatchObject({
      domainName: `${one('aws:apigateway/restApi:RestApi').id}.execute-api.${REGION}.amazonaws.com`,
      originPath: '/live',
      customOriginConfig: { originProtocolPolicy: 'https-only', originSslProtocols: ['TLSv1.2'] },
    });
    for (const behaviour of distribution.orderedCacheBehaviors) {
      expect(behaviour).toMatchObject({
        targetOriginId: apiOrigin.originId,
        cachePolicyId: CACHING_DISABLED_POLICY,
        originRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_POLICY,
        compress: false,
      });
      expect(behaviour.allowedMethods.sort()).toEqual(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']);
    }
  });

  test('CloudFront proves itself to the API with a secret header that only the route functions know', () => {
    const apiOrigin = one('aws:cloudfront/distribution:Distribution').inputs.origins.find(
      (o: any) => o.customOriginConfig,
    );
    const [header] = apiOrigin.customHeaders;
    expect(header.name).toBe(EDGE_SECRET_HEADER);
    expect(header.value).toMatch(/^[0-9a-f]{48}$/);
    for (const fn of ALL_FUNCTIONS) {
      const variables = lambdaNamed(fn.name).inputs.environment.variables;
      expect(variables[FUNCTION_ENV.edgeSecret]).toBe('resource' in fn ? header.value : undefined);
    }
  });

  test('every API path goes to the API and no loader file does', () => {
    const patterns: string[] = one('aws:cloudfront/distribution:Distribution').inputs.orderedCacheBehaviors.map(
      (b: any) => b.pathPattern,
    );
    const matches = (path: string) =>
      patterns.some((p) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(path));
    const examplePaths = ROUTES.map((r) => r.resource.replace(/\{[^}]+\}/g, 'pk_abc123'));
    expect(examplePaths.every(matches)).toBe(true);
    expect(matches('/v1/loader.js')).toBe(false);
    expect(matches('/v1/chat.Q2XJ7KDA.js')).toBe(false);
  });
});

describe('a second pulumi up', () => {
  test('with the same config and state changes nothing: same keys, same resources', async () => {
    const engine = new MockEngine();
    const first = await engine.run(() => deployPerch());
    const second = await engine.run(() => deployPerch());
    expect(second.outputs).toEqual(first.outputs);
    expect(Object.entries(second.changes()).filter(([, operation]) => operation !== 'same')).toEqual([]);
    expect(second.resources.length).toBe(first.resources.length);
  });
});

describe('secrets and outputs', () => {
  test('the session-signing secret holds 32 random bytes generated once by @pulumi/random', () => {
    const secret = one('aws:secretsmanager/secret:Secret');
    const version = one('aws:secretsmanager/secretVersion:SecretVersion');
    const key = deployment.named('session-signing-key');
    expect(key.inputs).toEqual({ length: 32 });
    expect(version.inputs).toEqual({ secretId: secret.id, secretString: key.outputs.base64 });
    expect(Buffer.from(version.inputs.secretString, 'base64')).toHaveLength(32);
  });

  test('the stack outputs one domain for loader and API, and each widget’s key and snippet', () => {
    const { outputs } = deployment.outputs;
    const domain = outputsOf('aws:cloudfront/distribution:Distribution').domainName;
    expect(outputs.apiUrl).toBe(`https://${domain}`);
    expect(outputs.loaderUrl).toBe(`https://${domain}/v1/loader.js`);
    expect(Object.keys(outputs.widgets).sort()).toEqual(['docs-bot', 'faq', 'regional', 'support']);
    for (const [id, widget] of Object.entries(outputs.widgets)) {
      expect(widget.snippet).toBe(widgetSnippet(outputs.loaderUrl, widget.publicKey));
      const config = deployment.named(`${id}-config`);
      expect(JSON.parse(config.inputs.item).publicKey).toEqual({ S: widget.publicKey });
    }
  });

  test('the dev stack applies the config’s dev overrides', () => {
    const docsBot = JSON.parse(deployment.named('docs-bot-config').inputs.item);
    expect(docsBot.allowedOrigins).toEqual({ L: [{ S: 'http://localhost:3000' }] });
  });
});
