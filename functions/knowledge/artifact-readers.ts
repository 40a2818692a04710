import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FUNCTION_ENV } from '../routes';
import type { ArtifactReader } from './knowledge-loader';

/** The local target's artifacts: files in the data folder's `knowledge/`. */
export const readArtifactsFromFolder =
  (folder: string): ArtifactReader =>
  (name) =>
    readFile(join(folder, name));

/** The AWS target's artifacts: objects in the private knowledge bucket (the S3 client loads on first use). */
export function readArtifactsFromBucket(bucket: string): ArtifactReader {
  let client: Promise<import('@aws-sdk/client-s3').S3Client> | undefined;
  return async (name) => {
    const { S3Client, GetObjectCommand } = await import('@aws-sdk/client-s3');
    client ??= Promise.resolve(new S3Client({}));
    const object = await (await client).send(new GetObjectCommand({ Bucket: bucket, Key: name }));
    if (!object.Body) throw new Error(`s3://${bucket}/${name} has no body`);
    return object.Body.transformToByteArray();
  };
}

/** The AWS target's reader, from the environment Pulumi sets on the messages function. */
export function readArtifactsFromEnvironment(env: NodeJS.ProcessEnv): ArtifactReader {
  const bucket = env[FUNCTION_ENV.knowledgeBucket];
  return bucket ? readArtifactsFromBucket(bucket) : noArtifacts;
}

/** Where no knowledge is deployed: any widget naming a base is not ready, and says why. */
export const noArtifacts: ArtifactReader = async (name) => {
  throw new Error(`no knowledge store is configured to read ${name}`);
};
