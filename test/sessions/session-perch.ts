import { type ClockedPerch, postToSession, startClockedPerch } from '../api/clocked-perch';

// Sessions against dynalite through the real handlers, with an injected clock; config changes
// (rotation, pause, delete, origins) are applied by the reconciler, as `npm start` does.
export const DOCS = 'https://docs.example.com';
export const SHOP = 'https://shop.example.com';
export const T0 = Date.UTC(2026, 10, 24, 9, 0, 0);
export const HOUR = 3_600_000;
const faq = [{ question: 'How do I rotate the key?', answer: 'Raise keyRotation and apply.' }];

type WidgetConfig = Record<string, unknown>;
/** docs-bot, on DOCS and SHOP, retention 7 days, with the overrides. */
export const docsBot = (overrides: WidgetConfig = {}): WidgetConfig => ({
  name: 'Docs',
  model: 'local',
  allowedOrigins: [DOCS, SHOP],
  limits: { perMinute: 1000, perDay: 10_000 },
  retentionDays: 7,
  faq,
  ...overrides,
});
export const configWith = (widgets: Record<string, WidgetConfig>) => ({
  models: { local: { provider: 'faq' } },
  widgets,
});
export const BASE = {
  'docs-bot': docsBot(),
  'other-bot': { name: 'Other', model: 'local', allowedOrigins: [DOCS], faq },
};

/** A fresh Perch with BASE applied, its clock at T0. */
export const startSessionPerch = () => startClockedPerch({ config: configWith(BASE), startAt: T0 });

export const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;

/** Asks docs-bot's faq question in the session: the status, refusal code and CORS grant. */
export async function ask(perch: ClockedPerch, sessionId: string, token: string, origin = DOCS) {
  const response = await postToSession(
    perch.url,
    sessionId,
    'messages',
    { text: 'How do I rotate the key?' },
    { origin, token },
  );
  const body = (await response.json()) as { text?: string; error?: { code: string } };
  return {
    status: response.status,
    code: body.error?.code,
    allowOrigin: response.headers.get('access-control-allow-origin'),
  };
}

export async function rotateDocsBot(perch: ClockedPerch) {
  await perch.apply(configWith({ ...BASE, 'docs-bot': docsBot({ keyRotation: 1 }) }));
}
