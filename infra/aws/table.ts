import * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';
import { EXPIRY_ATTRIBUTE, TABLE_SCHEMA } from '../../functions/records/table';

export interface PerchTableOptions {
  /** Production stacks refuse `pulumi destroy` and DeleteTable. */
  production: boolean;
  parent?: pulumi.Resource;
}

/**
 * The single table of DESIGN.md, with the key schema and sparse indexes that
 * `infra/local/database.ts` gives dynalite, plus what only AWS has: TTL on `expiresAt`,
 * point-in-time recovery, encryption with the AWS-managed KMS key.
 */
export function createPerchTable({ production, parent }: PerchTableOptions): aws.dynamodb.Table {
  return new aws.dynamodb.Table(
    'perch',
    {
      billingMode: 'PAY_PER_REQUEST',
      hashKey: TABLE_SCHEMA.hashKey,
      rangeKey: TABLE_SCHEMA.rangeKey,
      attributes: TABLE_SCHEMA.attributes.map(({ name, type }) => ({ name, type })),
      globalSecondaryIndexes: TABLE_SCHEMA.indexes.map((index) => ({
        name: index.name,
        keySchemas: [
          { attributeName: index.hashKey, keyType: 'HASH' },
          { attributeName: index.rangeKey, keyType: 'RANGE' },
        ],
        projectionType: index.projection,
      })),
      ttl: { attributeName: EXPIRY_ATTRIBUTE, enabled: true },
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true },
      deletionProtectionEnabled: production,
    },
    { parent, protect: production },
  );
}
