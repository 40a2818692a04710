import { createHash } from 'node:crypto';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { RouteDefinition } from '../../functions/routes';
import { functionLimits, type PerchFunction } from './functions';
import type { AccountScope } from './policies';

/** The one stage; CloudFront's API origin points at it. */
export const API_STAGE = 'live';

export interface PerchApiOptions {
  routes: readonly RouteDefinition[];
  functions: ReadonlyMap<string, PerchFunction>;
  scope: pulumi.Output<AccountScope>;
  parent?: pulumi.Resource;
}

export interface PerchApi {
  api: aws.apigateway.RestApi;
  stage: aws.apigateway.Stage;
  /** `<api-id>.execute-api.<region>.amazonaws.com`: CloudFront's second origin. */
  domainName: pulumi.Output<string>;
  /** The stage's own URL (`https://…/live`), for debugging; visitors use CloudFront. */
  invokeUrl: pulumi.Output<string>;
}

/**
 * The URI API Gateway calls for a Lambda proxy integration. Streaming routes use Lambda's
 * `response-streaming-invocations` API (with `responseTransferMode: STREAM` on the integration),
 * the others the classic `invocations` API.
 */
export function lambdaIntegrationUri(scope: AccountScope, functionArn: string, streaming: boolean): string {
  const base = `arn:${scope.partition}:apigateway:${scope.region}:lambda:path`;
  return streaming
    ? `${base}/2021-11-15/functions/${functionArn}/response-streaming-invocations`
    : `${base}/2015-03-31/functions/${functionArn}/invocations`;
}

/**
 * A regional REST API (HTTP APIs cannot stream) with every public route of `functions/routes.ts`
 * as a Lambda proxy integration — OPTIONS included: the handlers answer preflights and check
 * origins, so there is no API Gateway CORS configuration and no mock integration.
 */
export function createPerchApi({ routes, functions, scope, parent }: PerchApiOptions): PerchApi {
  const api = new aws.apigateway.RestApi(
    'perch-api',
    {
      description: `Perch public API (${pulumi.getStack()})`,
      endpointConfiguration: { types: 'REGIONAL' },
    },
    { parent },
  );

  const resources = new Map<string, aws.apigateway.Resource>();
  const resourceFor = (path: string): pulumi.Input<string> => {
    if (path === '/') return api.rootResourceId;
    const existing = resources.get(path);
    if (existing) return existing.id;
    const slash = path.lastIndexOf('/');
    const parentId = resourceFor(slash === 0 ? '/' : path.slice(0, slash));
    const resource = new aws.apigateway.Resource(
      `api${path.replace(/[{}]/g, '').replace(/\//g, '-')}`,
      { restApi: api.id, parentId, pathPart: path.slice(slash + 1) },
      { parent },
    );
    resources.set(path, resource);
    return resource.id;
  };

  const deployed: pulumi.Resource[] = [];
  const integrationFacts: pulumi.Output<string>[] = [];
  for (const route of routes) {
    const target = functions.get(route.name);
    if (!target) throw new Error(`route ${route.resource} names function ${route.name}, which was not created`);
    const resourceId = resourceFor(route.resource);
    const uri = pulumi.all([scope, target.fn.arn]).apply(([s, arn]) => lambdaIntegrationUri(s, arn, route.streaming));
    for (const method of route.methods) {
      const id = `${route.name}-${method.toLowerCase()}`;
      const apiMethod = new aws.apigateway.Method(
        id,
        { restApi: api.id, resourceId, httpMethod: method, authorization: 'NONE' },
        { parent },
      );
      const integration = new aws.apigateway.Integration(
        `${id}-integration`,
        {
          restApi: api.id,
          resourceId,
          httpMethod: apiMethod.httpMethod,
          type: 'AWS_PROXY',
          integrationHttpMethod: 'POST',
          uri,
          // A streamed reply may run as long as its function does (REST APIs allow up to 15 minutes).
          ...(route.streaming
            ? { responseTransferMode: 'STREAM', timeoutMilliseconds: functionLimits(route).timeout * 1000 }
            : {}),
        },
        { parent },
      );
      const wildcardPath = route.resource.replace(/\{[^}]+\}/g, '*');
      new aws.lambda.Permission(
        `${id}-invoke`,
        {
          action: 'lambda:InvokeFunction',
          function: target.fn.name,
          principal: 'apigateway.amazonaws.com',
          // Only this method on this path of this API's stage may invoke the function.
          sourceArn: pulumi.interpolate`${api.executionArn}/${API_STAGE}/${method}${wildcardPath}`,
        },
        { parent },
      );
      deployed.push(apiMethod, integration);
      integrationFacts.push(
        pulumi.interpolate`${method} ${route.resource} ${uri} ${route.streaming ? 'STREAM' : 'BUFFERED'}`,
      );
    }
  }

  // A REST API serves a deployment snapshot: redeploy whenever a route or integration changes.
  const deployment = new aws.apigateway.Deployment(
    'perch-api-deployment',
    {
      restApi: api.id,
      description: 'Perch routes',
      triggers: {
        redeployment: pulumi
          .all(integrationFacts)
          .apply((facts) => createHash('sha256').update(facts.join('\n')).digest('hex')),
      },
    },
    { parent, dependsOn: deployed },
  );
  const stage = new aws.apigateway.Stage(
    'perch-api-stage',
    { restApi: api.id, deployment: deployment.id, stageName: API_STAGE },
    { parent },
  );
  // A ceiling on the whole API; the per-widget limits are enforced by the handlers.
  new aws.apigateway.MethodSettings(
    'perch-api-throttling',
    {
      restApi: api.id,
      stageName: stage.stageName,
      methodPath: '*/*',
      settings: { throttlingRateLimit: 100, throttlingBurstLimit: 200, metricsEnabled: true },
    },
    { parent },
  );

  const domainName = pulumi.interpolate`${api.id}.execute-api.${scope.region}.${scope.dnsSuffix}`;
  return { api, stage, domainName, invokeUrl: pulumi.interpolate`https://${domainName}/${API_STAGE}` };
}
