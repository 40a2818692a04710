import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { matchOrigin } from '../../functions/origins/origin';
import type { PerchOutputs } from '../state/outputs';
import { requestUrl } from './request-url';

/** A static file a page server answers with. */
export interface PageFile {
  body: string;
  contentType: string;
  headers?: Record<string, string>;
}

export interface PageServerOptions {
  /** The address to listen on; 0 picks a free port. */
  host: string;
  port: number;
  /** The host name in the page's URL (and so in its Origin), e.g. `localhost` for 127.0.0.1. */
  urlHost?: string;
  /** The file for a path, or undefined for a 404; asked per request. */
  files: (path: string) => PageFile | undefined;
}

export interface PageServer {
  url: string;
  close(): Promise<void>;
}

/** A tiny static server: a website that embeds a widget (demo sites, browser tests). */
export function startPageServer({ host, port, urlHost = host, files }: PageServerOptions): Promise<PageServer> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = requestUrl(req);
    const file = req.method === 'GET' && url ? files(url.pathname) : undefined;
    if (!file) return void res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found\n');
    res
      .writeHead(200, { 'Content-Type': file.contentType, 'Cache-Control': 'no-store', ...file.headers })
      .end(file.body);
  });
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      const { port: bound } = server.address() as AddressInfo;
      done({
        url: `http://${urlHost}:${bound}`,
        close: () =>
          new Promise<void>((closed) => {
            server.close(() => closed());
            server.closeAllConnections();
          }),
      });
    });
  });
}

export interface DemoSitesOptions {
  /** The allowed site's port; the foreign site takes the next one. 0 picks two free ports. */
  port: number;
  outputs: PerchOutputs;
  /** The widget the pages embed. */
  widgetId?: string;
  /** That widget's allowed origins: the pages say whether they are admitted, truthfully. */
  allowedOrigins?: readonly string[];
  log?: (line: string) => void;
}

export interface DemoSites {
  /** The sites that started (a taken port is skipped with a warning). */
  urls: string[];
  close(): Promise<void>;
}

/**
 * `npm start`'s demo: the same page on an allowed origin (`http://localhost:3000`, in docs-bot's
 * allowedOrigins) and on a foreign one (`http://127.0.0.1:3001`), so a person sees the chat and
 * the refusal. Each page sends a strict Content-Security-Policy, as a careful website would.
 */
export async function startDemoSites({
  port,
  outputs,
  widgetId = 'docs-bot',
  allowedOrigins,
  log = console.log,
}: DemoSitesOptions): Promise<DemoSites> {
  const widget = outputs.widgets[widgetId];
  if (!widget) {
    log(`warning: no demo pages: the config has no widget "${widgetId}"`);
    return { urls: [], close: async () => undefined };
  }
  const sites = [
    { host: 'localhost', port, role: 'allowed' as const },
    { host: '127.0.0.1', port: port && port + 1, role: 'foreign' as const },
  ];
  const started: PageServer[] = [];
  for (const site of sites) {
    let url = '';
    let role = site.role;
    const server = await startPageServer({
      host: '127.0.0.1',
      port: site.port,
      urlHost: site.host,
      files: (path) => demoFiles(path, { url, role, widgetId, snippet: widget.snippet, apiUrl: outputs.apiUrl }),
    }).catch((error: NodeJS.ErrnoException) => {
      const reason = error.code === 'EADDRINUSE' ? `port ${site.port} is in use; set PERCH_DEMO_PORT` : error.message;
      log(`warning: demo page (${site.role} origin) not started: ${reason}`);
      return undefined;
    });
    if (!server) continue;
    url = server.url;
    started.push(server);
    if (allowedOrigins && (matchOrigin(url, allowedOrigins) !== null) !== (site.role === 'allowed')) {
      role = site.role === 'allowed' ? 'foreign' : 'allowed';
      log(
        `warning: ${url} is ${role === 'foreign' ? 'not ' : ''}in ${widgetId}'s allowedOrigins ` +
          `${JSON.stringify(allowedOrigins)}, so this demo page ` +
          `${role === 'foreign' ? 'is refused' : 'is admitted'}; ` +
          'the default PERCH_DEMO_PORT (3000) matches the shipped config',
      );
    }
    log(`Demo page (${role} origin): ${server.url}/`);
  }
  return {
    urls: started.map((s) => s.url),
    close: async () => void (await Promise.all(started.map((s) => s.close()))),
  };
}

interface DemoPage {
  url: string;
  role: 'allowed' | 'foreign';
  widgetId: string;
  snippet: string;
  apiUrl: string;
}

function demoFiles(path: string, page: DemoPage): PageFile | undefined {
  if (path === '/demo.css') return { body: DEMO_CSS, contentType: 'text/css; charset=utf-8' };
  if (path !== '/') return undefined;
  const csp =
    `default-src 'none'; script-src ${page.apiUrl}; connect-src ${page.apiUrl}; ` +
    "style-src 'self'; base-uri 'none'; form-action 'none'";
  return {
    body: demoHtml(page, csp),
    contentType: 'text/html; charset=utf-8',
    headers: { 'Content-Security-Policy': csp },
  };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function demoHtml({ url, role, widgetId, snippet }: DemoPage, csp: string): string {
  const origin = `This origin, <code>${escapeHtml(url)}</code>,`;
  const listed = `<code>${escapeHtml(widgetId)}</code>'s <code>allowedOrigins</code>`;
  const what =
    role === 'allowed'
      ? `${origin} is in ${listed}: open the bubble in the corner and ask a question.`
      : `${origin} is <strong>not</strong> in ${listed}: the API refuses it, and the bubble says so when opened.`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Perch demo (${role} origin)</title>
<link rel="stylesheet" href="/demo.css">
</head>
<body>
<main>
<h1>Perch demo: ${role} origin</h1>
<p>${what}</p>
<p>The page embeds the widget with the snippet from <code>.perch/outputs.json</code>:</p>
<pre>${escapeHtml(snippet)}</pre>
<p>It also sends a strict Content-Security-Policy (no inline scripts or styles, no eval):</p>
<pre>${escapeHtml(csp)}</pre>
</main>
${snippet}
</body>
</html>
`;
}

const DEMO_CSS = `body{margin:0;font:16px/1.6 Georgia,serif;color:#222;background:#fafaf7}
main{max-width:46rem;margin:3rem auto;padding:0 1.5rem}
pre{white-space:pre-wrap;word-break:break-all;background:#eee;padding:.75rem;border-radius:6px;font-size:.85rem}
code{background:#eee;padding:0 .25rem;border-radius:3px}
`;
