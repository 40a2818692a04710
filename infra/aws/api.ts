import { createHash } from 'node:crypto';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { RouteDefinition } from '../../functions/routes';
import type { PerchFunction } from './functions';
import type { AccountScope } from './policies';

/** The one stage; CloudFront's API origin points at it. */
export const API_STAGE = 'live';

export interface PerchApiOptions {
  routes: readonly RouteDefinition[];
  functions: ReadonlyMap<string, Pick<PerchFunction, 'fn'>>;
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

/** Lambda's invocation API for each transfer mode: STREAM on the classic `invocations` URI fails every call. */
const LAMBDA_INVOCATION_PATH = {
  STREAM: (arn: string) => `2021-11-15/functions/${arn}/response-streaming-invocations`,
  BUFFERED: (arn: string) => `2015-03-31/functions/${arn}/invocations`,
};

/**
 * How API Gateway calls a route's function, decided in one place so that the mode and the URI
 * agree: the transfer mode, always explicit (the provider keeps STREAM when the argument is merely
 * removed), its own invocation API, and a timeout of as long as the function may run (a REST API
 * allows a streamed reply up to 15 minutes).
 */
function lambdaProxyIntegration(route: RouteDefinition, fn: aws.lambda.Function, scope: pulumi.Output<AccountScope>) {
  const mode = route.streaming ? 'STREAM' : 'BUFFERED';
  const path = fn.arn.apply(LAMBDA_INVOCATION_PATH[mode]);
  return {
    type: 'AWS_PROXY',
    integrationHttpMethod: 'POST',
    responseTransferMode: mode,
    uri: pulumi.interpolate`arn:${scope.partition}:apigateway:${scope.region}:lambda:path/${path}`,
    timeoutMilliseconds: fn.timeout.apply((seconds) => {
      if (seconds === undefined) throw new Error(`the function of ${route.resource} has no explicit timeout`);
      return seconds * 1000;
    }),
  };
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
  // By `<METHOD> <path>`: the very arguments each method and integration was created with.
  const snapshot: Record<string, { method: aws.apigateway.MethodArgs; integration: aws.apigateway.IntegrationArgs }> =
    {};
  for (const route of routes) {
    const target = functions.get(route.name);
    if (!target) throw new Error(`route ${route.resource} names function ${route.name}, which was not created`);
    const resourceId = resourceFor(route.resource);
    const invocation = lambdaProxyIntegration(route, target.fn, scope);
    for (const method of route.methods) {
      const key = `${method} ${route.resource}`;
      if (key in snapshot) throw new Error(`${key} is declared by two routes`);
      const id = `${route.name}-${method.toLowerCase()}`;
      const methodArgs: aws.apigateway.MethodArgs = {
        restApi: api.id,
        resourceId,
        httpMethod: method,
        authorization: 'NONE',
      };
      const apiMethod = new aws.apigateway.Method(id, methodArgs, { parent });
      const integrationArgs: aws.apigateway.IntegrationArgs = {
        restApi: api.id,
        resourceId,
        httpMethod: apiMethod.httpMethod,
        ...invocation,
      };
      const integration = new aws.apigateway.Integration(`${id}-integration`, integrationArgs, { parent });
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
      snapshot[key] = { method: methodArgs, integration: integrationArgs };
    }
  }

  // A REST API serves a deployment snapshot, so the triggers hash the set of routes and every
  // argument of their methods and integrations: any change replaces the deployment (triggers
  // force a new one). Pulumi creates the replacement first, moves the stage to it, then deletes
  // the old one, which API Gateway refuses while a stage points at it.
  const deployment = new aws.apigateway.Deployment(
    'perch-api-deployment',
    {
      restApi: api.id,
      description: 'Perch routes',
      triggers: { redeployment: pulumi.output(snapshot).apply(sha256OfJson) },
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

/** SHA-256 of a value's JSON with every object's keys sorted: the same routes hash the same in any order. */
function sha256OfJson(value: unknown): string {
  const json = JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
  return createHash('sha256').update(json).digest('hex');
}
