import { Logger } from '@aws-lambda-powertools/logger';

export type { Logger };

/**
 * The one structured logger (AWS Lambda Powertools): JSON lines with level, timestamp, service
 * and, once `injectLambdaContext` ran, the function name, request id and cold start, as
 * CloudWatch reads them. The local target writes the same lines to its terminal.
 */
export function createLogger(): Logger {
  return new Logger({ serviceName: 'perch' });
}
