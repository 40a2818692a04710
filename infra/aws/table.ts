import * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';
import { EXPIRY_ATTRIBUTE, MANAGED_INDEX } from '../../functions/records/table';

export interface PerchTableOptions {
  /** Production stacks refuse `pulumi destroy` and DeleteTable. */
  production: boolean;
  parent?: pulumi.Resource;
}

/**
 * The single table of DESIGN.md, with the key schema and sparse `managed` index that
 * `infra/local/database.ts` gives dynalite, plus what only AWS has: TTL on `expiresAt`,
 * point-in-time recovery, encryption with the AWS-managed KMS key.
 */
export function createPerchTable({ production, parent }: PerchTableOptions): aws.dynamodb.Table {
  return new aws.dynamodb.Table(
    'perch',
    {
      billingMode: 'PAY_PER_REQUEST',
      hashKey: 'pk',
      rangeKey: 'sk',
      attributes: [
        { name: 'pk', type: 'S' },
        { name: 'sk', type: 'S' },
        { name: 'managedBy', type: 'S' },
      ],
      globalSecondaryIndexes: [
        {
          name: MANAGED_INDEX,
          keySchemas: [
            { attributeName: 'managedBy', keyType: 'HASH' },
            { attributeName: 'pk', keyType: 'RANGE' },
          ],
          projectionType: 'ALL',
        },
      ],
      ttl: { attributeName: EXPIRY_ATTRIBUTE, enabled: true },
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true },
      deletionProtectionEnabled: production,
    },
    { parent, protect: production },
  );
}
