/** An IAM policy document as Pulumi passes it to AWS (a JSON string or an object). */
type Document = string | { Statement?: unknown };

interface Statement {
  Sid?: string;
  Effect?: string;
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: string | string[];
  NotResource?: unknown;
  Principal?: unknown;
}

/**
 * Lambda names its log streams at run time, so `<own log group>:log-stream:*` is the one
 * wildcard a function needs; the log group itself is named exactly.
 */
const OWN_LOG_STREAMS = /^arn:aws:logs:[a-z0-9-]+:\d{12}:log-group:[^*?:]+:log-stream:\*$/;

const list = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/**
 * Every way an Allow statement of `document` grants more than it names: `*` in an action
 * (`*`, `dynamodb:*`, `s3:Get*`), a resource that is or contains `*` (except a function's own
 * log streams), NotAction/NotResource, or a `*` principal. Empty when the policy is exact.
 */
export function wildcardGrants(document: Document): string[] {
  const parsed = typeof document === 'string' ? JSON.parse(document) : document;
  const statements = list(parsed.Statement as never) as unknown as Statement[];
  const problems: string[] = [];
  for (const [index, statement] of statements.entries()) {
    if (statement.Effect !== 'Allow') continue;
    const at = `Statement[${index}]${statement.Sid ? ` (${statement.Sid})` : ''}`;
    if (statement.NotAction !== undefined) problems.push(`${at}: NotAction`);
    if (statement.NotResource !== undefined) problems.push(`${at}: NotResource`);
    for (const action of list(statement.Action)) if (action.includes('*')) problems.push(`${at}: Action ${action}`);
    for (const resource of list(statement.Resource)) {
      if (resource.includes('*') && !OWN_LOG_STREAMS.test(resource)) problems.push(`${at}: Resource ${resource}`);
    }
    if (JSON.stringify(statement.Principal ?? null).includes('"*"')) problems.push(`${at}: Principal *`);
  }
  return problems;
}
