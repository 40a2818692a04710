import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { EDGE_SECRET_HEADER } from '../../functions/http/request';
import { ORIGIN_READ_TIMEOUT_SECONDS, type RouteDefinition } from '../../functions/routes';
import { loaderHistory, type ServedFile } from './loader-history';
import { LOADER_ENTRY_KEY, uploadLoaderEntry, uploadLoaderFiles } from './loader-objects';
import { createPrivateBucket } from './private-bucket';
import { createViewerIpFunction } from './viewer-ip-function';

/** Where `loader/build.ts` (`npm run build:loader`) writes `loader.js` and `chat.<hash>.js`. */
export const LOADER_BUILD_DIR = 'dist/loader';
/** Every loader file is served under `/v1/`, the versioned path of DESIGN.md. */
export const LOADER_PREFIX = 'v1/';

// AWS-managed CloudFront policies (global, fixed ids; see "Use managed cache policies").
/** Managed-CachingOptimized: follows the origin's Cache-Control, gzip and brotli enabled. */
export const CACHING_OPTIMIZED_POLICY = '658327ea-f89d-4fab-a63d-7e88639e58f6';
/** Managed-CachingDisabled: every API request goes to the origin. */
export const CACHING_DISABLED_POLICY = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
/**
 * Managed-AllViewerExceptHostHeader: forwards every viewer header (Origin, Authorization,
 * Accept, Content-Type, Access-Control-Request-*) and query string, but not Host, which API
 * Gateway needs to be its own domain. An origin request policy of our own could not forward
 * Authorization (CloudFront only allows that through a cache policy, i.e. with caching).
 */
export const ALL_VIEWER_EXCEPT_HOST_POLICY = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

export const LOADER_ORIGIN_ID = 'loader-bucket';
export const API_ORIGIN_ID = 'rest-api';

export interface LoaderFile {
  /** File name in the build output (`loader.js`, `chat.ABCD1234.js`). */
  name: string;
  path: string;
  /** S3 key and URL path without the leading slash (`v1/loader.js`). */
  key: string;
  contentType: string;
  cacheControl: string;
}

/** The loader build output is missing or incomplete: nothing sensible to deploy. */
export class LoaderBuildMissingError extends Error {
  override name = 'LoaderBuildMissingError';
}

/**
 * Content-hashed files (`chat.ABCD1234.js`) never change under their name: cache them for a
 * year. `loader.js` keeps one URL across deployments (it is in every customer's snippet), so a
 * new release reaches visitors within five minutes.
 */
export function loaderCacheControl(fileName: string): string {
  return isContentHashed(fileName) ? 'public, max-age=31536000, immutable' : 'public, max-age=300';
}

const isContentHashed = (fileName: string) => /\.[A-Za-z0-9]{8,}\.[a-z]+$/.test(fileName);

const CONTENT_TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  map: 'application/json',
};

/** Every file the loader build produced, with its S3 key and headers; `loader.js` must be there. */
export function listLoaderFiles(buildDir: string): LoaderFile[] {
  const dir = resolve(buildDir);
  const hint = 'run `npm run build:loader` (loader/build.ts) before `pulumi preview` / `pulumi up`';
  if (!existsSync(dir)) throw new LoaderBuildMissingError(`loader build output ${dir} is missing: ${hint}`);
  const names = readdirSync(dir)
    .filter((name) => statSync(join(dir, name)).isFile())
    .sort();
  if (!names.includes('loader.js')) throw new LoaderBuildMissingError(`${dir} holds no loader.js: ${hint}`);
  return names.map((name) => {
    const extension = name.slice(name.lastIndexOf('.') + 1);
    const contentType = CONTENT_TYPES[extension];
    if (!contentType)
      throw new LoaderBuildMissingError(`${join(dir, name)}: unexpected file type in the loader build output`);
    return {
      name,
      path: join(dir, name),
      key: `${LOADER_PREFIX}${name}`,
      contentType,
      cacheControl: loaderCacheControl(name),
    };
  });
}

/**
 * CloudFront path patterns that go to the API: each route's path up to its first parameter
 * (`/v1/widgets/{key}` → `/v1/widgets/*`), so loader files under `/v1/` stay on the bucket.
 */
export function apiPathPatterns(routes: readonly RouteDefinition[]): string[] {
  const patterns = routes.map((route) => {
    const param = route.resource.indexOf('{');
    return param === -1 ? route.resource : `${route.resource.slice(0, param)}*`;
  });
  return [...new Set(patterns)].sort();
}

export interface LoaderHostingOptions {
  files: readonly LoaderFile[];
  routes: readonly RouteDefinition[];
  /** The REST API's regional domain and stage (CloudFront's second origin). */
  apiDomainName: pulumi.Input<string>;
  apiStage: string;
  production: boolean;
  priceClass: string;
  /** Sent to the API origin as `X-Perch-Edge`, so handlers know a request came through CloudFront. */
  edgeSecret: pulumi.Input<string>;
  /** Files earlier deploys served that are still kept (`retainedFiles`); none by default. */
  retained?: readonly ServedFile[];
  parent?: pulumi.Resource;
}

export interface LoaderHosting {
  bucket: aws.s3.Bucket;
  publicAccessBlock: aws.s3.BucketPublicAccessBlock;
  bucketPolicy: aws.s3.BucketPolicy;
  originAccessControl: aws.cloudfront.OriginAccessControl;
  distribution: aws.cloudfront.Distribution;
  viewerIpFunction: aws.cloudfront.Function;
  objects: aws.s3.BucketObjectv2[];
  /** What this deploy served, for the next one to keep (the `loaderHistory` stack output). */
  history: ServedFile[];
}

/**
 * One CloudFront domain for the loader and the API (a customer's CSP needs one entry): a
 * private bucket read only through Origin Access Control, and the REST API behind the API
 * paths with no caching, each API request given the visitor's IP by the viewer-IP function.
 * HTTPS only; static files compressed.
 */
export function createLoaderHosting({
  files,
  routes,
  apiDomainName,
  apiStage,
  production,
  priceClass,
  edgeSecret,
  retained = [],
  parent,
}: LoaderHostingOptions): LoaderHosting {
  const { bucket, publicAccessBlock } = createPrivateBucket('loader', { production, parent });
  const servedKeys = [...files.map((file) => file.key), ...retained.map((file) => file.key)].sort();
  const uploaded = uploadLoaderFiles(bucket, files, retained, parent);

  const originAccessControl = new aws.cloudfront.OriginAccessControl(
    'loader-oac',
    {
      description: 'Perch: CloudFront reads the loader bucket, signed with SigV4',
      originAccessControlOriginType: 's3',
      signingBehavior: 'always',
      signingProtocol: 'sigv4',
    },
    { parent },
  );

  const viewerIpFunction = createViewerIpFunction(parent);
  const distribution = new aws.cloudfront.Distribution(
    'perch-cdn',
    {
      enabled: true,
      comment: `Perch loader and API (${pulumi.getStack()})`,
      isIpv6Enabled: true,
      httpVersion: 'http2and3',
      priceClass,
      origins: [
        {
          originId: LOADER_ORIGIN_ID,
          domainName: bucket.bucketRegionalDomainName,
          originAccessControlId: originAccessControl.id,
        },
        {
          originId: API_ORIGIN_ID,
          domainName: apiDomainName,
          originPath: `/${apiStage}`,
          customHeaders: [{ name: EDGE_SECRET_HEADER, value: edgeSecret }],
          customOriginConfig: {
            httpPort: 80,
            httpsPort: 443,
            originProtocolPolicy: 'https-only',
            originSslProtocols: ['TLSv1.2'],
            // A streamed reply may pause between chunks; the handler's SSE heartbeat (~15 s) keeps
            // it well under this idle limit, and a JSON reply ends before it (JSON_REPLY_DEADLINE_MS).
            originReadTimeout: ORIGIN_READ_TIMEOUT_SECONDS,
          },
        },
      ],
      defaultCacheBehavior: {
        targetOriginId: LOADER_ORIGIN_ID,
        viewerProtocolPolicy: 'https-only',
        allowedMethods: ['GET', 'HEAD'],
        cachedMethods: ['GET', 'HEAD'],
        compress: true,
        cachePolicyId: CACHING_OPTIMIZED_POLICY,
      },
      orderedCacheBehaviors: apiPathPatterns(routes).map((pathPattern) => ({
        pathPattern,
        targetOriginId: API_ORIGIN_ID,
        viewerProtocolPolicy: 'https-only',
        allowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'POST', 'PATCH', 'DELETE'],
        cachedMethods: ['GET', 'HEAD'],
        // Never buffer a stream to compress it; API bodies are small.
        compress: false,
        cachePolicyId: CACHING_DISABLED_POLICY,
        originRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_POLICY,
        functionAssociations: [{ eventType: 'viewer-request', functionArn: viewerIpFunction.arn }],
      })),
      restrictions: { geoRestriction: { restrictionType: 'none' } },
      viewerCertificate: { cloudfrontDefaultCertificate: true },
    },
    { parent },
  );

  const bucketPolicy = new aws.s3.BucketPolicy(
    'loader-bucket-policy',
    {
      bucket: bucket.id,
      policy: pulumi.all([bucket.arn, distribution.arn]).apply(([bucketArn, distributionArn]) =>
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'CloudFrontReadsLoaderFiles',
              Effect: 'Allow',
              Principal: { Service: 'cloudfront.amazonaws.com' },
              Action: ['s3:GetObject'],
              // Exactly the files of this build and those kept from earlier ones, for this distribution only.
              Resource: servedKeys.map((key) => `${bucketArn}/${key}`),
              Condition: { StringEquals: { 'AWS:SourceArn': distributionArn } },
            },
          ],
        }),
      ),
    },
    { parent, dependsOn: [publicAccessBlock] },
  );

  const entry = files.find((file) => file.key === LOADER_ENTRY_KEY)!;
  const objects = [...uploaded, uploadLoaderEntry(bucket, entry, [...uploaded, bucketPolicy], parent)];
  const history = loaderHistory(
    files.filter((file) => isContentHashed(file.name)),
    retained,
  );
  return {
    bucket,
    publicAccessBlock,
    bucketPolicy,
    originAccessControl,
    distribution,
    viewerIpFunction,
    objects,
    history,
  };
}
