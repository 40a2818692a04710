/**
 * The public routes: the local server and the Pulumi program both read this list, so a
 * route exists on both targets or on neither.
 */
export interface RouteDefinition {
  /** Function name and bundle name (`functions/handlers/<name>.ts`). */
  name: string;
  /** API Gateway resource path, with `{param}` placeholders. */
  resource: string;
  methods: string[];
  /** Replies through Lambda response streaming (`awslambda.streamifyResponse`). */
  streaming: boolean;
}

export const ROUTES: RouteDefinition[] = [
  { name: 'widget-config', resource: '/v1/widgets/{key}', methods: ['GET', 'OPTIONS'], streaming: false },
];
