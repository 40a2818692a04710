import type { IncomingMessage, ServerResponse } from 'node:http';
import { type BundleFile, buildLoaderBundles, formatBundleSizes, type LoaderBundles } from '../../loader/build';
import type { LocalPathHandler } from './server';

export interface LoaderFilesOptions {
  log?: (line: string) => void;
  /** Builds the bundles; esbuild in memory by default. */
  build?: () => Promise<LoaderBundles>;
}

/**
 * Serves the browser bundles next to the API, as CloudFront does on AWS: `/v1/loader.js` with a
 * short cache (it names the current chat bundle), `/v1/chat.<hash>.js` cached forever. Built on
 * the first request, so a target that never serves a page never runs esbuild.
 */
export function serveLoaderFiles({
  log = console.log,
  build = buildLoaderBundles,
}: LoaderFilesOptions = {}): LocalPathHandler {
  let bundles: Promise<LoaderBundles> | undefined;
  const built = () =>
    (bundles ||= build().then(
      (result) => {
        log(`Built the widget bundles:\n${formatBundleSizes(result)}`);
        return result;
      },
      (error: unknown) => {
        bundles = undefined; // a fixed source builds on the next request
        throw error;
      },
    ));

  return async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const name = /^\/v1\/(loader\.js|chat\.[A-Z0-9]+\.js)$/.exec(url.pathname)?.[1];
    if (!name) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return true;
    }
    const { loader, chat } = await built();
    const file = [loader, chat].find((candidate) => candidate.name === name);
    if (!file) {
      res
        .writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' })
        .end('Not found\n');
      return true;
    }
    sendBundle(req, res, file, file === loader ? 'public, max-age=300' : 'public, max-age=31536000, immutable');
    return true;
  };
}

function sendBundle(req: IncomingMessage, res: ServerResponse, file: BundleFile, cacheControl: string): void {
  const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const body = gzip ? file.gzip : file.contents;
  res.writeHead(200, {
    'Content-Type': 'text/javascript; charset=utf-8',
    'Content-Length': String(body.length),
    'Cache-Control': cacheControl,
    'X-Content-Type-Options': 'nosniff',
    Vary: 'Accept-Encoding',
    ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
