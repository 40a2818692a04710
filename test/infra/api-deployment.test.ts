import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { ROUTES, type RouteDefinition, type RouteName } from '../../functions/routes';
import { createPerchApi } from '../../infra/aws/api';
import { functionLimits } from '../../infra/aws/functions';
import { useDeployedProgram } from './deployed-program';
import { ACCOUNT_ID, type Deployment, MockEngine, REGION } from './mock-engine';

// The REST API's integrations and its deployment: the whole program for the integration modes,
// then the API alone, deployed twice by one engine, for what makes the `live` stage redeploy.

const program = useDeployedProgram('api-deployment');

describe('every integration states its transfer mode and calls the invocation API of that mode', () => {
  const INTEGRATIONS: [string, RouteName, 'STREAM' | 'BUFFERED', string][] = [
    ['GET /v1/widgets/{key}', 'widget-config', 'BUFFERED', '2015-03-31/functions/{arn}/invocations'],
    ['OPTIONS /v1/widgets/{key}', 'widget-config', 'BUFFERED', '2015-03-31/functions/{arn}/invocations'],
    ['POST /v1/sessions', 'sessions', 'BUFFERED', '2015-03-31/functions/{arn}/invocations'],
    ['OPTIONS /v1/sessions', 'sessions', 'BUFFERED', '2015-03-31/functions/{arn}/invocations'],
    [
      'POST /v1/sessions/{sessionId}/messages',
      'messages',
      'STREAM',
      '2021-11-15/functions/{arn}/response-streaming-invocations',
    ],
    [
      'OPTIONS /v1/sessions/{sessionId}/messages',
      'messages',
      'STREAM',
      '2021-11-15/functions/{arn}/response-streaming-invocations',
    ],
    ['POST /v1/sessions/{sessionId}/feedback', 'feedback', 'BUFFERED', '2015-03-31/functions/{arn}/invocations'],
    ['OPTIONS /v1/sessions/{sessionId}/feedback', 'feedback', 'BUFFERED', '2015-03-31/functions/{arn}/invocations'],
  ];

  const pathOf = (resourceId: string): string => {
    if (resourceId === 'root0000') return '';
    const resource = program.deployment.byType('aws:apigateway/resource:Resource').find((r) => r.id === resourceId)!;
    return `${pathOf(resource.inputs.parentId)}/${resource.inputs.pathPart}`;
  };
  const integrations = () =>
    new Map(
      program.deployment
        .byType('aws:apigateway/integration:Integration')
        .map((i) => [`${i.inputs.httpMethod} ${pathOf(i.inputs.resourceId)}`, i.inputs]),
    );

  test('the table names every route and method, and the program has no other integration', () => {
    const declared = ROUTES.flatMap((r) => r.methods.map((m) => `${m} ${r.resource}`));
    expect(INTEGRATIONS.map(([key]) => key).sort()).toEqual(declared.sort());
    expect([...integrations().keys()].sort()).toEqual(declared.sort());
  });

  test.each(INTEGRATIONS)('%s → %s, %s: %s, waiting as long as the function runs', (key, name, mode, path) => {
    const lambda = program.lambdaNamed(name);
    expect(integrations().get(key)).toMatchObject({
      type: 'AWS_PROXY',
      integrationHttpMethod: 'POST',
      responseTransferMode: mode,
      uri: `arn:aws:apigateway:${REGION}:lambda:path/${path.replace('{arn}', lambda.outputs.arn)}`,
      timeoutMilliseconds: lambda.inputs.timeout * 1000,
    });
  });
});

const SCOPE = { partition: 'aws', region: REGION, accountId: ACCOUNT_ID, dnsSuffix: 'amazonaws.com' };

interface ApiVariant {
  routes?: readonly RouteDefinition[];
  /** Function timeouts (s) other than `functionLimits` of the shipped route. */
  timeouts?: Partial<Record<RouteName, number>>;
  /** Routes whose function is a new Lambda (a new ARN) named `<route>-2`. */
  newFunctions?: RouteName[];
}

/** Deploys the API of `routes` over one Lambda per route with `engine` (which keeps the state). */
function deployApi(engine: MockEngine, { routes = ROUTES, timeouts = {}, newFunctions = [] }: ApiVariant = {}) {
  return engine.run(() => {
    const functions = new Map(
      ROUTES.map((route) => {
        const fn = new aws.lambda.Function(newFunctions.includes(route.name) ? `${route.name}-2` : route.name, {
          role: `arn:aws:iam::${ACCOUNT_ID}:role/${route.name}`,
          timeout: timeouts[route.name] ?? functionLimits(route).timeout,
        });
        return [route.name, { fn }];
      }),
    );
    createPerchApi({ routes, functions, scope: pulumi.output(SCOPE) });
  });
}

const redeployment = (run: Deployment<void>): string => run.named('perch-api-deployment').inputs.triggers.redeployment;
/** The API's changes by resource name. */
const apiChanges = (run: Deployment<void>) =>
  Object.fromEntries(
    Object.entries(run.changes())
      .filter(([key]) => key.startsWith('aws:apigateway/'))
      .map(([key, operation]) => [key.split('::')[1]!, operation]),
  );
const routeNamed = (name: RouteName) => ROUTES.find((r) => r.name === name)!;
const withRoute = (name: RouteName, change: Partial<RouteDefinition>) =>
  ROUTES.map((r) => (r.name === name ? { ...r, ...change } : r));
const without = (name: RouteName) => ROUTES.filter((r) => r.name !== name);

describe('the deployment of the live stage', () => {
  test('the same routes and functions deploy the same snapshot: a second run changes nothing in the API', async () => {
    const engine = new MockEngine();
    const first = await deployApi(engine);
    const second = await deployApi(engine);
    expect(redeployment(first)).toMatch(/^[0-9a-f]{64}$/);
    expect(redeployment(second)).toBe(redeployment(first));
    expect(new Set(Object.values(apiChanges(second)))).toEqual(new Set(['same']));
  });

  test('the order of the routes does not matter', async () => {
    const engine = new MockEngine();
    const first = await deployApi(engine);
    const reordered = await deployApi(engine, { routes: [...ROUTES].reverse() });
    expect(redeployment(reordered)).toBe(redeployment(first));
    expect(reordered.named('perch-api-deployment').operation).toBe('same');
  });

  const CHANGES: [string, ApiVariant, ApiVariant, Record<string, 'update' | 'create' | 'delete'>][] = [
    [
      'a streaming timeout',
      {},
      { timeouts: { messages: 300 } },
      { 'messages-post-integration': 'update', 'messages-options-integration': 'update' },
    ],
    ['a buffered timeout', {}, { timeouts: { feedback: 20 } }, { 'feedback-post-integration': 'update' }],
    [
      'the transfer mode (and with it the uri)',
      {},
      { routes: withRoute('messages', { streaming: false }) },
      { 'messages-post-integration': 'update' },
    ],
    ['a uri (a new function)', {}, { newFunctions: ['sessions'] }, { 'sessions-post-integration': 'update' }],
    ['a removed route', {}, { routes: without('feedback') }, { 'feedback-post-integration': 'delete' }],
    ['an added route', { routes: without('feedback') }, {}, { 'feedback-post-integration': 'create' }],
    [
      'an added method',
      {},
      { routes: withRoute('feedback', { methods: [...routeNamed('feedback').methods, 'GET'] }) },
      { 'feedback-get': 'create', 'feedback-get-integration': 'create' },
    ],
    [
      'a moved route',
      {},
      { routes: withRoute('feedback', { resource: '/v1/sessions/{sessionId}/ratings' }) },
      { 'feedback-post': 'update', 'feedback-post-integration': 'update' },
    ],
  ];

  test.each(CHANGES)(
    '%s changes the triggers of the deployment the stage serves',
    async (_change, before, after, expected) => {
      const engine = new MockEngine();
      const first = await deployApi(engine, before);
      const second = await deployApi(engine, after);

      expect(apiChanges(second)).toMatchObject(expected);
      expect(redeployment(second)).not.toBe(redeployment(first));
      const deployment = second.named('perch-api-deployment');
      expect(deployment.operation).not.toBe('same');
      expect(second.named('perch-api-stage').inputs).toMatchObject({ stageName: 'live', deployment: deployment.id });
    },
  );

  test('the deployment is created after every method and integration', async () => {
    const run = await deployApi(new MockEngine());
    const deployment = run.named('perch-api-deployment');
    const urns = [
      ...run.byType('aws:apigateway/method:Method'),
      ...run.byType('aws:apigateway/integration:Integration'),
    ].map((r) => `urn:pulumi:dev::perch::${r.type}::${r.name}`);
    expect(urns).toHaveLength(2 * ROUTES.reduce((n, r) => n + r.methods.length, 0));
    expect(deployment.dependsOn).toEqual(expect.arrayContaining(urns));
  });
});
