import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { ServedFile } from './loader-history';
import type { LoaderFile } from './loader-hosting';

export const LOADER_ENTRY_KEY = 'v1/loader.js';

/** The resource name of a loader file: the same while it is current and once retained. */
const objectName = (key: string) => `loader-file-${key.slice(key.lastIndexOf('/') + 1)}`;

/** One file of this build, from its path in the build output. */
const builtObject = (bucket: aws.s3.Bucket, file: LoaderFile, opts: pulumi.CustomResourceOptions) =>
  new aws.s3.BucketObjectv2(
    objectName(file.key),
    {
      bucket: bucket.id,
      key: file.key,
      source: new pulumi.asset.FileAsset(file.path),
      contentType: file.contentType,
      cacheControl: file.cacheControl,
    },
    opts,
  );

/**
 * Uploads the build's files except `loader.js`, and the files earlier deploys served that are
 * kept for a while (`retainedFiles`): an open page or a cached `loader.js` still asks for those.
 */
export function uploadLoaderFiles(
  bucket: aws.s3.Bucket,
  files: readonly LoaderFile[],
  retained: readonly ServedFile[],
  parent?: pulumi.Resource,
): aws.s3.BucketObjectv2[] {
  const built = files
    .filter((file) => file.key !== LOADER_ENTRY_KEY)
    .map((file) => builtObject(bucket, file, { parent }));
  const kept = retained.map(
    (file) =>
      new aws.s3.BucketObjectv2(
        objectName(file.key),
        {
          bucket: bucket.id,
          key: file.key,
          content: file.content,
          contentType: file.contentType,
          cacheControl: file.cacheControl,
        },
        { parent },
      ),
  );
  return [...built, ...kept];
}

/**
 * `loader.js` last: it names the new chat bundle, so it is written only once that bundle is in
 * the bucket and the bucket policy lets CloudFront read it.
 */
export function uploadLoaderEntry(
  bucket: aws.s3.Bucket,
  file: LoaderFile,
  dependsOn: pulumi.Resource[],
  parent?: pulumi.Resource,
): aws.s3.BucketObjectv2 {
  return builtObject(bucket, file, { parent, dependsOn });
}
