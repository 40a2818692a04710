import type { KnowledgeRef } from '../knowledge/passage';
import type { LocaleSetting, Texts } from '../texts/language';

/**
 * The single DynamoDB table of DESIGN.md. Items the reconciler (or Pulumi) owns carry
 * `managedBy = "perch-config"` (a sparse GSI lists them) and live under `WIDGET#` and `KEY#`;
 * runtime items (sessions, counters, usage) live under other prefixes and never carry it.
 */
export const TABLE_NAME_ENV = 'PERCH_TABLE';
export const DEFAULT_TABLE_NAME = 'perch';
export const MANAGED_INDEX = 'managed';
export const MANAGED_BY = 'perch-config';
/** Epoch seconds; the TTL attribute on AWS, and every reader filters on it. */
export const EXPIRY_ATTRIBUTE = 'expiresAt';

/** Sessions by widget and start time (`widgetId`, `createdAt`): what operators list per day. */
export const CONVERSATIONS_INDEX = 'conversations';
/** Signed-in sessions by `sub` and start time: what erasure by identity finds, across widgets. */
export const CONVERSATIONS_BY_SUB_INDEX = 'conversations-by-sub';

/**
 * Keys and sparse indexes of the table, shared by the Pulumi table and the local dynalite one.
 * The two conversation indexes key on attributes only session items carry (no other item has
 * `createdAt`), so a session is listed from the write that creates it, with no extra item to
 * keep in step, and leaves the index when TTL or erasure deletes it. KEYS_ONLY: appending a turn
 * changes no indexed or projected attribute, so it never writes an index.
 */
export const TABLE_SCHEMA = {
  hashKey: 'pk',
  rangeKey: 'sk',
  attributes: [
    { name: 'pk', type: 'S' },
    { name: 'sk', type: 'S' },
    { name: 'managedBy', type: 'S' },
    { name: 'widgetId', type: 'S' },
    { name: 'sub', type: 'S' },
    { name: 'createdAt', type: 'N' },
  ],
  indexes: [
    { name: MANAGED_INDEX, hashKey: 'managedBy', rangeKey: 'pk', projection: 'ALL' },
    { name: CONVERSATIONS_INDEX, hashKey: 'widgetId', rangeKey: 'createdAt', projection: 'KEYS_ONLY' },
    { name: CONVERSATIONS_BY_SUB_INDEX, hashKey: 'sub', rangeKey: 'createdAt', projection: 'KEYS_ONLY' },
  ],
} as const;

export function tableName(env: NodeJS.ProcessEnv = process.env): string {
  return env[TABLE_NAME_ENV] ?? DEFAULT_TABLE_NAME;
}

export const widgetKey = (widgetId: string) => ({ pk: `WIDGET#${widgetId}`, sk: 'CONFIG' });
export const publicKeyKey = (publicKey: string) => ({ pk: `KEY#${publicKey}`, sk: 'KEY' });

export type ModelBinding =
  | { provider: 'faq'; streamDelayMs?: number }
  | { provider: 'bedrock'; modelId: string; region?: string; pricing?: Pricing; maxOutputTokens?: number }
  | {
      provider: 'openai';
      baseUrl: string;
      model: string;
      apiKeyEnv?: string;
      apiKeySecret?: string;
      pricing?: Pricing;
      maxOutputTokens?: number;
    };

export interface Pricing {
  inputPerMTok: number;
  outputPerMTok: number;
}

export interface WidgetLimits {
  perMinute: number;
  perDay: number;
  perVisitorPerDay?: number;
  dailyBudgetUsd?: number;
  /** Session starts per visitor per UTC hour; 30 when unset. */
  sessionsPerVisitorPerHour?: number;
  /** Session starts per UTC day; 10 × perDay when unset. */
  sessionsPerDay?: number;
}

/** How a widget verifies signed-in visitors (DESIGN.md § Signed-in visitors). */
export interface IdentitySettings {
  /** The HS256 secret's environment variable (the local target). */
  secretEnv?: string;
  /** The Secrets Manager secret (name or ARN) holding it (AWS). */
  secretSecret?: string;
  /** Refuse anonymous session starts. */
  required: boolean;
}

/** A widget's settings with every default applied: what the config declares and the runtime reads. */
export interface WidgetSettings {
  name: string;
  model: ModelBinding;
  systemPrompt: string;
  /** Absent: the catalogue's, in the visitor's language. */
  greeting?: string;
  /** Absent: the catalogue's, in the visitor's language. */
  placeholder?: string;
  /** Absent in records written before languages existed: `en`. */
  locale?: LocaleSetting;
  /** Overrides of the catalogue's visitor texts; absent when there are none. */
  texts?: Partial<Texts>;
  theme: { primary: string; position: 'bottom-right' | 'bottom-left' };
  /** Normalised entries (lower case, punycode, no default port). */
  allowedOrigins: string[];
  limits: WidgetLimits;
  status: 'active' | 'paused';
  quickActions: string[];
  feedback: boolean;
  faq: { question: string; answer: string }[];
  retentionDays: number;
  /** Absent: every visitor is anonymous. */
  identity?: IdentitySettings;
}

/** What the runtime reads about a widget: one item per widget, written only by config apply. */
export interface WidgetRecord extends WidgetSettings {
  pk: string;
  sk: 'CONFIG';
  managedBy: typeof MANAGED_BY;
  widgetId: string;
  /** The current public key and its version (the config's `keyRotation`). */
  publicKey: string;
  keyVersion: number;
  /** Rotated-out key versions → epoch ms until which their sessions keep working. */
  keyGrace: Record<string, number>;
  /**
   * Set when the widget is created, never reused: sessions carry it, so a widget deleted and
   * declared again under the same id reaches none of the old one's sessions.
   */
  incarnation: string;
  /** The knowledge bases it answers from (absent when none), each named by its artifact's digest. */
  knowledge?: KnowledgeRef[];
}

/** The incarnation of widgets and sessions written before incarnations existed. */
export const FIRST_INCARNATION = 'first';

/** Maps a public key to its widget; rotated keys keep their item until the grace ends. */
export interface KeyRecord {
  pk: string;
  sk: 'KEY';
  managedBy: typeof MANAGED_BY;
  widgetId: string;
  keyVersion: number;
  /** The widget's incarnation, so a widget item deleted by hand is restored as the same widget. */
  incarnation?: string;
  /** Set once the key is rotated out: epoch ms after which its sessions are refused. */
  graceUntil?: number;
}

export type ManagedRecord = WidgetRecord | KeyRecord;

export const isWidgetRecord = (r: ManagedRecord): r is WidgetRecord => r.sk === 'CONFIG';
