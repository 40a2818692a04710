import * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';

export interface PrivateBucket {
  bucket: aws.s3.Bucket;
  publicAccessBlock: aws.s3.BucketPublicAccessBlock;
  /** What an object should wait for: the bucket's access block, ownership and encryption. */
  settings: pulumi.Resource[];
}

/**
 * An S3 bucket nobody outside the account can read: every public access blocked, ACLs off
 * (BucketOwnerEnforced), encrypted at rest. Resources are named `<name>`, `<name>-public-access-block`,
 * `<name>-ownership` and `<name>-encryption`, so deployed stacks keep theirs.
 */
export function createPrivateBucket(
  name: string,
  { production, parent }: { production: boolean; parent?: pulumi.Resource },
): PrivateBucket {
  const bucket = new aws.s3.Bucket(name, { forceDestroy: !production }, { parent });
  const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
    `${name}-public-access-block`,
    {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    { parent },
  );
  const ownership = new aws.s3.BucketOwnershipControls(
    `${name}-ownership`,
    { bucket: bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } },
    { parent },
  );
  const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
    `${name}-encryption`,
    { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }] },
    { parent },
  );
  return { bucket, publicAccessBlock, settings: [publicAccessBlock, ownership, encryption] };
}
