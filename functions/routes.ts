/**
 * The functions of Perch: the local server and the Pulumi program both read these lists, so
 * a route exists on both targets or on neither, and each function's IAM policy is derived
 * from what it declares here (least privilege).
 */
export type TableAction =
  | 'GetItem'
  | 'BatchGetItem'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'Query'
  | 'BatchWriteItem';

export interface FunctionDefinition {
  /** Function name and bundle name (`functions/handlers/<name>.ts`, exporting `handler`). */
  name: string;
  /** DynamoDB actions on the table. */
  tableActions: TableAction[];
  /** Queries the `managed` index (the config items), not only the table. */
  queriesManagedIndex?: boolean;
  /** Reads the session-signing secret (Secrets Manager on AWS). */
  sessionSecret: boolean;
  /** Calls model providers: Bedrock models and OpenAI-compatible API key secrets from the config. */
  invokesModels: boolean;
  /** Reads knowledge artifacts (`s3:GetObject` on exactly the deployed ones). */
  readsKnowledge?: boolean;
  /** Verifies signed-in visitors: reads the widgets' `identity.secretSecret` secrets. */
  verifiesIdentity?: boolean;
}

export type RouteName = 'widget-config' | 'sessions' | 'messages' | 'feedback';

export interface RouteDefinition extends FunctionDefinition {
  name: RouteName;
  /** API Gateway resource path, with `{param}` placeholders. */
  resource: string;
  methods: string[];
  /** Replies through Lambda response streaming (`awslambda.streamifyResponse`, REST API STREAM mode). */
  streaming: boolean;
}

export const ROUTES: RouteDefinition[] = [
  {
    name: 'widget-config',
    resource: '/v1/widgets/{key}',
    methods: ['GET', 'OPTIONS'],
    streaming: false,
    tableActions: ['GetItem'],
    sessionSecret: false,
    invokesModels: false,
  },
  {
    name: 'sessions',
    resource: '/v1/sessions',
    methods: ['POST', 'OPTIONS'],
    streaming: false,
    // Query: a signed-in visitor's latest session (functions/identity/signed-in-sessions.ts).
    tableActions: ['GetItem', 'PutItem', 'UpdateItem', 'Query'],
    sessionSecret: true,
    invokesModels: false,
    verifiesIdentity: true,
  },
  {
    name: 'messages',
    resource: '/v1/sessions/{sessionId}/messages',
    methods: ['POST', 'OPTIONS'],
    streaming: true,
    tableActions: ['GetItem', 'BatchGetItem', 'UpdateItem'],
    sessionSecret: true,
    invokesModels: true,
    readsKnowledge: true,
  },
  {
    name: 'feedback',
    resource: '/v1/sessions/{sessionId}/feedback',
    methods: ['POST', 'OPTIONS'],
    streaming: false,
    // authorizeSession reads the widget and the session in one BatchGetItem.
    tableActions: ['GetItem', 'BatchGetItem', 'UpdateItem'],
    sessionSecret: true,
    invokesModels: false,
  },
];

/** The quota-reset job, run at 00:00 UTC (EventBridge Scheduler on AWS, a timer locally). */
export const QUOTA_RESET: FunctionDefinition = {
  name: 'quota-reset',
  tableActions: ['GetItem', 'PutItem', 'UpdateItem', 'Query'],
  queriesManagedIndex: true,
  sessionSecret: false,
  invokesModels: false,
};

/**
 * How long CloudFront waits for the API's first byte (and between bytes): 60 s is the most it
 * allows without a quota increase. The CloudFront origin and the JSON-mode reply deadline both
 * read it, so a JSON answer always arrives before CloudFront gives up with a 504.
 */
export const ORIGIN_READ_TIMEOUT_SECONDS = 60;

/** Environment variables the functions read (set by Pulumi on AWS, by the local target locally). */
export const FUNCTION_ENV = {
  table: 'PERCH_TABLE',
  /** ARN of the Secrets Manager secret holding the session-signing key (AWS). */
  sessionSecretArn: 'PERCH_SESSION_SECRET_ARN',
  /** The session-signing key itself (local target; generated once into the data folder). */
  sessionSecret: 'PERCH_SESSION_SECRET',
  /**
   * The value CloudFront sends in `X-Perch-Edge` to the API origin (AWS). Only a request carrying
   * it came through CloudFront (any other is refused), so only then is `X-Perch-Viewer-IP` believed.
   */
  edgeSecret: 'PERCH_EDGE_SECRET',
  /** The private bucket holding knowledge artifacts (AWS; the messages function only). */
  knowledgeBucket: 'PERCH_KNOWLEDGE_BUCKET',
} as const;
