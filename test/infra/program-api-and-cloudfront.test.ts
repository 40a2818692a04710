import { join } from 'node:path';
import { EDGE_SECRET_HEADER } from '../../functions/http/request';
import { FUNCTION_ENV, ROUTES } from '../../functions/routes';
import {
  ALL_VIEWER_EXCEPT_HOST_POLICY,
  CACHING_DISABLED_POLICY,
  CACHING_OPTIMIZED_POLICY,
} from '../../infra/aws/loader-hosting';
import { useDeployedProgram } from './deployed-program';
import { ALL_FUNCTIONS } from './fixtures';
import { REGION } from './mock-engine';

// The Pulumi program under the mock engine (see deployed-program.ts):
// the REST API and the loader hosting behind CloudFront.
const program = useDeployedProgram('program-api-and-cloudfront');
const { one, outputsOf, lambdaNamed } = program;

describe('the REST API', () => {
  const pathOf = (resourceId: string): string => {
    if (resourceId === 'root0000') return '';
    const resource = program.deployment.byType('aws:apigateway/resource:Resource').find((r) => r.id === resourceId)!;
    return `${pathOf(resource.inputs.parentId)}/${resource.inputs.pathPart}`;
  };
  const functionArn = (name: string) => lambdaNamed(name).outputs.arn;

  test('is one regional REST API', () => {
    expect(one('aws:apigateway/restApi:RestApi').inputs.endpointConfiguration).toEqual({ types: 'REGIONAL' });
    expect(program.deployment.byType('aws:apigatewayv2/api:Api')).toEqual([]);
  });

  test.each(ROUTES.flatMap((r) => r.methods.map((m) => [`${m} ${r.resource}`, r, m] as const)))(
    '%s is a Lambda proxy integration to its function',
    (_label, route, method) => {
      const methodResource = program.deployment
        .byType('aws:apigateway/method:Method')
        .find((m) => m.inputs.httpMethod === method && pathOf(m.inputs.resourceId) === route.resource)!;
      expect(methodResource.inputs.authorization).toBe('NONE');
      const integration = program.deployment
        .byType('aws:apigateway/integration:Integration')
        .find((i) => i.inputs.httpMethod === method && i.inputs.resourceId === methodResource.inputs.resourceId)!;
      expect(integration.inputs).toMatchObject({ type: 'AWS_PROXY', integrationHttpMethod: 'POST' });
      const version = route.streaming ? '2021-11-15' : '2015-03-31';
      const api = route.streaming ? 'response-streaming-invocations' : 'invocations';
      expect(integration.inputs.uri).toBe(
        `arn:aws:apigateway:${REGION}:lambda:path/${version}/functions/${functionArn(route.name)}/${api}`,
      );
      expect(integration.inputs.responseTransferMode).toBe(route.streaming ? 'STREAM' : 'BUFFERED');
      const permission = program.deployment.named(`${route.name}-${method.toLowerCase()}-invoke`);
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
    const integration = program.deployment
      .byType('aws:apigateway/integration:Integration')
      .find((i) => i.inputs.uri.includes('response-streaming-invocations'))!;
    expect(integration.inputs.timeoutMilliseconds).toBe(lambdaNamed('messages').inputs.timeout * 1000);
    expect(
      program.deployment
        .byType('aws:apigateway/integration:Integration')
        .filter((i) => i.inputs.responseTransferMode === 'STREAM'),
    ).toHaveLength(messages.methods.length);
  });

  test('has no CORS configuration and no mock OPTIONS: every method, OPTIONS included, reaches a Lambda', () => {
    const integrations = program.deployment.byType('aws:apigateway/integration:Integration');
    expect(integrations).toHaveLength(ROUTES.reduce((n, r) => n + r.methods.length, 0));
    expect(integrations.every((i) => i.inputs.type === 'AWS_PROXY')).toBe(true);
    for (const type of [
      'methodResponse:MethodResponse',
      'integrationResponse:IntegrationResponse',
      'gatewayResponse:GatewayResponse',
    ]) {
      expect(program.deployment.byType(`aws:apigateway/${type}`)).toEqual([]);
    }
    expect(JSON.stringify(program.deployment.resources.map((r) => r.inputs))).not.toMatch(/Access-Control-Allow/i);
  });

  test('is deployed to the live stage after every method and integration exists', () => {
    const deploymentResource = one('aws:apigateway/deployment:Deployment');
    const methodsAndIntegrations = [
      ...program.deployment.byType('aws:apigateway/method:Method'),
      ...program.deployment.byType('aws:apigateway/integration:Integration'),
    ];
    expect(deploymentResource.dependsOn.length).toBeGreaterThanOrEqual(methodsAndIntegrations.length);
    expect(one('aws:apigateway/stage:Stage').inputs).toMatchObject({
      stageName: 'live',
      deployment: deploymentResource.id,
    });
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
      expect(program.deployment.byType(`aws:s3/${type}`)).toEqual([]);
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
      program.deployment.byType('aws:s3/bucketObjectv2:BucketObjectv2').map((o) => [o.inputs.key, o.inputs]),
    );
    expect(Object.keys(objects).sort()).toEqual(['v1/chat.Q2XJ7KDA.js', 'v1/loader.js']);
    expect(objects['v1/loader.js']).toMatchObject({
      cacheControl: 'public, max-age=300',
      contentType: 'text/javascript; charset=utf-8',
    });
    expect(objects['v1/chat.Q2XJ7KDA.js']).toMatchObject({ cacheControl: 'public, max-age=31536000, immutable' });
    expect(objects['v1/loader.js'].source.path).toBe(join(program.loaderDir, 'loader.js'));
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
