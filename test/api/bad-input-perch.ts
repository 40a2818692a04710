import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../functions/records/client';
import { DEFAULT_TABLE_NAME } from '../../functions/records/table';
import type { TokenClaims } from '../../functions/sessions/session-token';
import { deriveSessionKeys, type SessionKeys } from '../../functions/sessions/signing-secret';
import { localClientConfig } from '../../infra/local/database';
import { type LocalTarget, startLocalTarget } from '../../infra/local/target';
import { writeConfigFile } from '../fixtures/config-file';
import { type StartedSession, startSession } from './clocked-perch';

// Hostile input through the real handlers on the local target (`npm start`'s code path): each
// case gets its DESIGN.md code and status, never a 5xx, and writes nothing but a refusal count.
export const DOCS = 'https://docs.example.com';
export const SHOP = 'https://shop.example.com';

export interface MessageOptions {
  token?: string;
  sessionId?: string;
  origin?: string;
  authorization?: string;
}

export interface BadInputPerch {
  target: LocalTarget;
  /** The session the cases attack: docs-bot on DOCS. */
  mine: StartedSession;
  /** Another docs-bot session on DOCS. */
  sibling: StartedSession;
  /** A docs-bot session on SHOP, the widget's other allowed origin. */
  onShop: StartedSession;
  /** A session of other-bot, another widget, on DOCS. */
  foreign: StartedSession;
  secretKeys(): SessionKeys;
  /** `POST /v1/sessions/{id}/messages` in JSON mode, by default in `mine` from DOCS with its token. */
  message(body: unknown, options?: MessageOptions): Promise<Response>;
  /** Runtime items (sessions, counters) without the refusal counts, which a refusal may add to. */
  runtimeState(): Promise<Record<string, unknown>>;
}

export const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as TokenClaims;
export const text = (length: number) => 'a'.repeat(length);

/** Starts the local target with docs-bot and other-bot for the test file, and the four sessions. */
export function useBadInputPerch(): BadInputPerch {
  let dir: string;
  let table: ReturnType<typeof createDocumentClient>;
  const perch: BadInputPerch = {
    target: undefined as never,
    mine: undefined as never,
    sibling: undefined as never,
    onShop: undefined as never,
    foreign: undefined as never,
    secretKeys: () => deriveSessionKeys(perch.target.sessionSecret),
    message: (
      body,
      { token = perch.mine.token, sessionId = perch.mine.sessionId, origin = DOCS, authorization } = {},
    ) =>
      fetch(`${perch.target.apiUrl}/v1/sessions/${encodeURIComponent(sessionId)}/messages`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json',
          Origin: origin,
          Authorization: authorization ?? `Bearer ${token}`,
        },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    runtimeState: async () => {
      const { Items = [] } = await table.send(new ScanCommand({ TableName: DEFAULT_TABLE_NAME, ConsistentRead: true }));
      const state: Record<string, unknown> = {};
      for (const { refusals: _refusals, ...item } of Items.filter((i) => !i.managedBy))
        state[`${item.pk}|${item.sk}`] = item;
      return state;
    },
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'perch-bad-input-'));
    const configFile = join(dir, 'widgets.config.ts');
    const faq = [{ question: 'How do I rotate the key?', answer: 'Raise keyRotation and apply.' }];
    const limits = { perMinute: 100_000, perDay: 1_000_000 };
    writeConfigFile(configFile, {
      models: { local: { provider: 'faq' } },
      widgets: {
        'docs-bot': { name: 'Docs', model: 'local', allowedOrigins: [DOCS, SHOP], limits, faq },
        'other-bot': { name: 'Other', model: 'local', allowedOrigins: [DOCS], limits, faq },
      },
    });
    const target = await startLocalTarget({ configFile, port: 0, log: () => undefined });
    perch.target = target;
    await target.quotaCaughtUp; // the job's own state item is written by then, not during a case
    table = createDocumentClient(new DynamoDBClient(localClientConfig(target.databaseEndpoint)));
    const key = target.outputs.widgets['docs-bot']!.publicKey;
    [perch.mine, perch.sibling, perch.onShop, perch.foreign] = await Promise.all([
      startSession(target.apiUrl, DOCS, key),
      startSession(target.apiUrl, DOCS, key),
      startSession(target.apiUrl, SHOP, key),
      startSession(target.apiUrl, DOCS, target.outputs.widgets['other-bot']!.publicKey),
    ]);
  });

  afterAll(async () => {
    table?.destroy();
    await perch.target?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return perch;
}

export interface Case {
  name: string;
  send: () => Promise<Response>;
  status: number;
  code: string;
  /** The origin the refusal may be read by (CORS grant), or null. */
  readableBy: string | null;
}

/** One test a case under `describe(route)`: refused with its status, code and CORS grant, nothing written. */
export function describeRefusals(route: string, cases: () => Case[], perch: BadInputPerch): void {
  describe(route, () => {
    test.each(cases().map((c) => [c.name, c] as const))(
      '%s is refused with its code and writes nothing',
      async (_name, { send, status, code, readableBy }) => {
        const before = await perch.runtimeState();

        const response = await send();

        expect({
          status: response.status,
          body: await response.json(),
          readableBy: response.headers.get('access-control-allow-origin'),
        }).toEqual({
          status,
          body: { error: { code, message: expect.any(String) } },
          readableBy,
        });
        expect(await perch.runtimeState()).toEqual(before);
      },
    );
  });
}
