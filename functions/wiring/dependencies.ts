import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ArtifactReader } from '../knowledge/knowledge-loader';
import { createLogger, type Logger } from '../logging/logger';
import { metricsFromEnvironment, type PerchMetrics } from '../metrics/widget-metrics';
import { createDocumentClient } from '../records/client';
import { tableName } from '../records/table';
import { FUNCTION_ENV } from '../routes';
import {
  createSessionKeyLoader,
  fetchFromSecretsManager,
  type SecretFetcher,
  type SessionKeys,
} from '../sessions/signing-secret';

/**
 * Everything a function needs from the outside, passed in explicitly: each Lambda entry builds it
 * from its environment at cold start, the local target from its own database and data folder, so
 * two local targets (or a test's) live side by side in one process.
 */
export interface FunctionDependencies {
  doc: DynamoDBDocumentClient;
  table: string;
  /** The session-signing keys (Secrets Manager on AWS, the data folder's secret locally). */
  loadKeys: () => Promise<SessionKeys>;
  /** Reads a secret by id: model API keys (`apiKeySecret`). */
  fetchSecret: SecretFetcher;
  /** Where `apiKeyEnv` model keys are read (the local target's environment). */
  env: NodeJS.ProcessEnv;
  /** Set on AWS: the CloudFront edge secret, without which the visitor IP header is not trusted. */
  edgeSecret?: string;
  /** Knowledge artifacts by name: the data folder locally; unset on AWS, where messages reads its bucket. */
  readArtifact?: ArtifactReader;
  logger: Logger;
  /** Per-widget metrics: Powertools' EMF on AWS; unset locally and in tests, where nothing is emitted. */
  metrics?: PerchMetrics;
  now?: () => number;
}

/** A Lambda's dependencies, from the environment Pulumi sets (read once, at cold start). */
export function dependenciesFromEnvironment(env: NodeJS.ProcessEnv = process.env): FunctionDependencies {
  const logger = createLogger();
  return {
    doc: createDocumentClient(),
    table: tableName(env),
    loadKeys: createSessionKeyLoader({ env, fetchSecret: fetchFromSecretsManager }),
    fetchSecret: fetchFromSecretsManager,
    env,
    edgeSecret: env[FUNCTION_ENV.edgeSecret],
    logger,
    metrics: metricsFromEnvironment(env, logger),
  };
}
