import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { KnowledgeArtifactFile } from '../build/knowledge-artifacts';
import { createPrivateBucket } from './private-bucket';

export interface KnowledgeStoreOptions {
  /** One built artifact per declared base (`writeKnowledgeArtifacts`); at least one. */
  artifacts: readonly KnowledgeArtifactFile[];
  production: boolean;
  parent?: pulumi.Resource;
}

export interface KnowledgeStore {
  bucket: aws.s3.Bucket;
  publicAccessBlock: aws.s3.BucketPublicAccessBlock;
  /** The object of each artifact, by digest. */
  objects: ReadonlyMap<string, aws.s3.BucketObjectv2>;
  /** `arn:<partition>:s3:::<bucket>/<digest>.json.gz` of every artifact: what the messages function may read. */
  artifactArns: pulumi.Output<string[]>;
}

/**
 * The knowledge bases on AWS (DESIGN.md § Knowledge): a private bucket of their own, never a
 * CloudFront origin and without a bucket policy (only roles granted `s3:GetObject` on exact objects
 * read it), holding one immutable object per base at `<digest>.json.gz`. A changed base is a new
 * key, so its object is replaced: the new one is made before the widget records name it, the old
 * one deleted after.
 */
export function createKnowledgeStore({ artifacts, production, parent }: KnowledgeStoreOptions): KnowledgeStore {
  if (artifacts.length === 0) throw new Error('createKnowledgeStore needs at least one artifact');
  const { bucket, publicAccessBlock, settings } = createPrivateBucket('knowledge', { production, parent });
  const objects = new Map(
    artifacts.map((artifact) => [
      artifact.digest,
      new aws.s3.BucketObjectv2(
        `knowledge-artifact-${artifact.base}`,
        {
          bucket: bucket.id,
          key: artifact.key,
          source: new pulumi.asset.FileAsset(artifact.path),
          // The reader unzips the bytes itself: a gzip file, not a gzip-encoded JSON response.
          contentType: 'application/gzip',
          metadata: { base: artifact.base },
        },
        { parent, dependsOn: settings },
      ),
    ]),
  );
  const artifactArns = bucket.arn.apply((arn) => artifacts.map((artifact) => `${arn}/${artifact.key}`));
  return { bucket, publicAccessBlock, objects, artifactArns };
}
