import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SessionRecord, Turn } from '../../functions/sessions/session-record';
import { createConversationsPage } from '../../infra/local/conversations-page';
import { createUsagePage } from '../../infra/local/usage-page';
import {
  type ClockedPerch,
  postSession,
  postToSession,
  type StartedSession,
  startClockedPerch,
} from '../api/clocked-perch';

// The operator's conversations page over the real handlers on dynalite: visitors make the
// conversations through the API; items written directly add what the API would never store as
// is (hostile text, a javascript: source URL, an HTML sub, an expired conversation). The pages are
// mounted on a plain server on every interface, so a test can reach them through a non-loopback address.
export const SITE = 'https://app.example.com';
const DAY = 86_400_000;
const TODAY = Date.UTC(2026, 11, 2, 12, 0, 0);
export const SCRIPT = '<script>alert(1)</script>';
export const IMG = '<img src=x onerror=alert(1)>';
export const SVG = `"'><svg onload=alert(1)>`;

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface SendOptions {
  address?: string;
  method?: string;
  headers?: Record<string, string>;
}

export interface ConversationsPageFixture {
  perch: ClockedPerch;
  /** Session ids: real conversations (docs two days ago rated down, shop yesterday, docs today rated up). */
  sessions: { twoDaysAgo: string; yesterday: string; today: string };
  /** A raw HTTP request, so the test controls Host and reaches the server through any address. */
  send(path: string, options?: SendOptions): Promise<Answer>;
  close(): Promise<void>;
}

const widget = (extra: Record<string, unknown>) => ({
  model: 'local',
  allowedOrigins: [SITE],
  feedback: true,
  faq: [
    { question: 'How do I reset my password?', answer: 'Use the Forgot password link on the sign-in page.' },
    { question: 'Where is my invoice?', answer: 'Invoices (factures) are under Billing.' },
  ],
  limits: { perMinute: 1000, perDay: 10_000 },
  ...extra,
});

async function converse(perch: ClockedPerch, widgetId: string, text: string, rating?: 'up' | 'down') {
  perch.clock.advance(1000); // distinct start times: the listing's order is the order of starts
  const started = await postSession(perch.url, SITE, { key: perch.publicKey(widgetId) });
  const session = (await started.json()) as StartedSession;
  const as = { origin: SITE, token: session.token };
  const reply = await postToSession(perch.url, session.sessionId, 'messages', { text }, as);
  const { messageId } = (await reply.json()) as { messageId: string };
  if (rating) await postToSession(perch.url, session.sessionId, 'feedback', { messageId, rating }, as);
  return session.sessionId;
}

/** A session item as the runtime stores it, written directly. */
async function storeSession(
  perch: ClockedPerch,
  sessionId: string,
  fields: Partial<SessionRecord> & { turns: Record<string, Turn> },
) {
  const item: SessionRecord = {
    pk: `SESSION#${sessionId}`,
    sk: 'SESSION',
    sessionId,
    widgetId: 'docs',
    keyVersion: 1,
    origin: SITE,
    createdAt: TODAY + 30_000,
    expiresAt: Math.floor(TODAY / 1000) + 30 * 86_400,
    ...fields,
  };
  await perch.runtime.doc.send(new PutCommand({ TableName: perch.table, Item: item }));
}

const turn = (id: string, role: Turn['role'], text: string, extra: Partial<Turn> = {}): Record<string, Turn> => ({
  [id]: { id, role, text, at: TODAY + 30_000 + (role === 'assistant' ? 1000 : 0), ...extra },
});

/**
 * Two widgets (docs keeps 30 days, shop 7) with three real conversations, a session opened
 * without a message, `hostile-0001` (docs, today: markup everywhere, rated up, three sources)
 * and `expired-0001` (docs, yesterday, past its expiry); the clock stands at today 12:01 UTC.
 */
export async function startConversationsPageFixture(): Promise<ConversationsPageFixture> {
  const perch = await startClockedPerch({
    config: {
      models: { local: { provider: 'faq' } },
      widgets: {
        docs: widget({ name: `Docs ${IMG}`, retentionDays: 30 }),
        shop: widget({ name: 'Shop', retentionDays: 7 }),
      },
    },
    startAt: TODAY - 2 * DAY,
  });
  const twoDaysAgo = await converse(perch, 'docs', 'How do I reset my password?', 'down');
  perch.clock.set(TODAY - DAY);
  const yesterday = await converse(perch, 'shop', 'Where is my invoice?');
  await postSession(perch.url, SITE, { key: perch.publicKey('docs') }); // opened, never asked
  perch.clock.set(TODAY);
  const today = await converse(perch, 'docs', 'Où est ma FACTURE ?', 'up');
  await storeSession(perch, 'hostile-0001', {
    origin: `https://evil.example${SVG}`,
    sub: `<b>user</b>${SVG}`,
    turns: {
      ...turn('v1', 'visitor', `${SCRIPT} and ${IMG}`),
      ...turn('a1', 'assistant', `Try ${SVG} here`, {
        rating: 'up',
        sources: [
          { title: `Guide ${SCRIPT}`, path: 'docs/guide.md', url: 'javascript:alert(1)' },
          { title: 'Install', path: 'docs/install.md', url: 'https://docs.example.com/install?a=1&b="2"' },
          { title: 'Local notes', path: 'notes/local.md' },
        ],
      }),
    },
  });
  await storeSession(perch, 'expired-0001', {
    createdAt: TODAY - DAY + 5000,
    expiresAt: Math.floor(TODAY / 1000) - 60, // past its retention, waiting for TTL or the sweeper
    turns: turn('v1', 'visitor', 'long gone'),
  });
  perch.clock.set(TODAY + 60_000);

  const options = { doc: perch.runtime.doc, table: perch.table, now: perch.clock.now };
  const pages = [createConversationsPage(options), createUsagePage(options)];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url!, 'http://localhost');
    for (const page of pages) if (await page(req, res, url)) return;
    res.writeHead(404).end();
  });
  await new Promise<void>((done) => server.listen(0, '0.0.0.0', done));
  const { port } = server.address() as AddressInfo;

  return {
    perch,
    sessions: { twoDaysAgo, yesterday, today },
    send: (path, { address = '127.0.0.1', method = 'GET', headers = {} } = {}) =>
      new Promise((resolve, reject) => {
        const req = request(
          { host: address, port, path, method, headers: { Host: `localhost:${port}`, ...headers } },
          (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (body += chunk));
            res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
          },
        );
        req.on('error', reject);
        req.end();
      }),
    close: async () => {
      await new Promise((done) => server.close(done));
      await perch.close();
    },
  };
}

export function nonLoopbackAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((info) => info && info.family === 'IPv4' && !info.internal)?.address;
}

/** The session ids a listing links to, in page order. */
export const listedIds = (body: string) => [...body.matchAll(/\?session=([A-Za-z0-9-]+)"/g)].map((match) => match[1]);
