import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { PerchError } from '../errors/perch-error';
import { parseJsonBody } from '../http/json-body';
import type { ApiRequest } from '../http/request';
import { corsHeaders, jsonResponse, preflightResponse, type ApiResponse } from '../http/response';
import { admitMessage, refundMessage, type Admission } from '../limits/admit-message';
import type { UsageCounters } from '../limits/usage-counters';
import { visitorHash } from '../limits/visitor';
import { estimateTokens, type TokenUsage } from '../providers/model-provider';
import { replyCost, type ProviderResolution } from '../providers/resolve-provider';
import type { WidgetRecord } from '../records/table';
import { authorizeSession, authorizeSessionPreflight, type AuthorizedSession } from '../sessions/authorize-session';
import { expirySeconds, orderedTurns, type SessionRecord, type SessionStore, type Turn } from '../sessions/session-record';
import type { SessionKeys } from '../sessions/signing-secret';
import { utcDay } from '../usage/day';
import { buildPrompt, type Prompt } from './prompt';
import { createSseStream, formatSseEvent } from './sse';

export const MAX_MESSAGE_CHARS = 4000;
/** The upstream model call's limit. */
const DEFAULT_TIMEOUT_MS = 60_000;
/** How long past the model's timeout a claimed session stays claimed (storing the turns). */
const CLAIM_MARGIN_MS = 15_000;

export const messageBodySchema = z.strictObject({ text: z.string().check(z.maxLength(MAX_MESSAGE_CHARS)) });

/** A response whose body may be a stream (SSE). */
export type StreamingApiResponse = Omit<ApiResponse, 'body'> & { body: string | Readable };

export interface MessageRouteOptions {
  doc: DynamoDBDocumentClient;
  table: string;
  sessions: SessionStore;
  findWidget: (widgetId: string) => Promise<WidgetRecord | undefined>;
  loadKeys: () => Promise<SessionKeys>;
  resolveProvider: (widget: WidgetRecord) => Promise<ProviderResolution>;
  counters: UsageCounters;
  now?: () => number;
  /** Upstream model call limit. */
  timeoutMs?: number;
  heartbeatMs?: number;
  logger?: Pick<Console, 'error'>;
}

interface Reply {
  messageId: string;
  text: string;
  usage: TokenUsage;
}

/** `POST /v1/sessions/{id}/messages`: one visitor turn, answered as SSE or JSON. */
export function createMessageRoute(options: MessageRouteOptions) {
  const { sessions, findWidget, loadKeys, resolveProvider, counters, now = Date.now, logger = console } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return async (request: ApiRequest): Promise<StreamingApiResponse> => {
    if (request.method === 'OPTIONS') {
      return preflightResponse(await authorizeSessionPreflight(request, { sessions, findWidget, now: now() }), 'POST, OPTIONS');
    }
    if (request.method !== 'POST') throw new PerchError('method_not_allowed', { headers: { Allow: 'POST, OPTIONS' } });
    const started = now();
    const keys = await loadKeys();
    const auth = await authorizeSession(request, { sessions, keys, now: started });
    const { widget, corsOrigin } = auth;
    const replyId = randomUUID();
    let claimed: SessionRecord | undefined;
    let admission: Admission;
    let text: string;
    let resolution: Extract<ProviderResolution, { ready: true }>;
    let prompt: Prompt;
    try {
      text = parseJsonBody(request.body, messageBodySchema, { corsOrigin }).text.trim();
      if (text === '') throw new PerchError('bad_request', { message: 'text: must not be empty', corsOrigin });
      const resolved = await resolveProvider(widget);
      if (!resolved.ready) {
        logger.error(JSON.stringify({ level: 'error', widgetId: widget.widgetId, message: `bot not ready: ${resolved.reason}` }));
        throw new PerchError('bot_not_ready', { corsOrigin });
      }
      resolution = resolved;
      // Held past the model's timeout, so only a reply whose function died loses it, to its expiry.
      claimed = await sessions.claim(auth.session.sessionId, replyId, started, started + timeoutMs + CLAIM_MARGIN_MS);
      if (!claimed) throw new PerchError('session_busy', { corsOrigin });
      prompt = buildPrompt(widget.systemPrompt, orderedTurns(claimed), text);
      admission = await admitMessage({
        doc: options.doc,
        table: options.table,
        widgetId: widget.widgetId,
        limits: widget.limits,
        visitor: visitorHash(keys.visitorSalt, request.sourceIp, utcDay(started)),
        now: started,
        reserveUsd: replyCost(resolution.pricing, { inputTokens: promptTokens(prompt), outputTokens: resolution.maxOutputTokens }),
        corsOrigin,
      });
    } catch (error) {
      if (claimed) await sessions.release(claimed.sessionId, replyId);
      if (error instanceof PerchError) await counters.refused(widget.widgetId, error.code, started);
      throw error;
    }
    const session = claimed;

    const reply = (signal: AbortSignal, onDelta: (text: string) => void) =>
      runReply({ ...options, auth: { ...auth, session }, replyId, prompt, text, resolution, admission, signal, onDelta, started });

    const accept = request.headers.accept ?? '';
    if (accept.includes('application/json') && !accept.includes('text/event-stream')) {
      const answer = await reply(new AbortController().signal, () => undefined);
      return jsonResponse(200, answer, corsOrigin);
    }
    const body = createSseStream(
      async (write, signal) => {
        try {
          const answer = await reply(signal, (delta) => write(formatSseEvent('delta', { text: delta })));
          write(formatSseEvent('done', { messageId: answer.messageId, usage: answer.usage }));
        } catch (error) {
          if (signal.aborted) return;
          const known = error instanceof PerchError ? error : new PerchError('upstream_error', { cause: error });
          write(formatSseEvent('error', { code: known.code, message: known.message }));
        }
      },
      { heartbeatMs: options.heartbeatMs },
    );
    return {
      status: 200,
      headers: {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        'X-Accel-Buffering': 'no',
        ...corsHeaders(corsOrigin),
      },
      body,
    };
  };
}

interface RunReplyOptions extends MessageRouteOptions {
  auth: AuthorizedSession;
  replyId: string;
  prompt: Prompt;
  text: string;
  resolution: Extract<ProviderResolution, { ready: true }>;
  admission: Admission;
  signal: AbortSignal;
  onDelta: (text: string) => void;
  started: number;
}

const promptTokens = (prompt: Prompt) =>
  estimateTokens(prompt.system) + prompt.turns.reduce((n, t) => n + estimateTokens(t.text), 0);

/**
 * Streams the model's answer; on success stores both turns and settles the usage (reported,
 * else estimated) against the admission's reservation. Any failure but the visitor leaving gives
 * the message's count back; every failure gives the session back.
 */
async function runReply(o: RunReplyOptions): Promise<Reply> {
  const { auth, resolution, admission, counters, prompt, logger = console } = o;
  const { widget, session, corsOrigin } = auth;
  const signal = AbortSignal.any([o.signal, AbortSignal.timeout(o.timeoutMs ?? DEFAULT_TIMEOUT_MS)]);
  const settle = (usage: TokenUsage) => counters.replied(admission, { ...usage, costUsd: replyCost(resolution.pricing, usage) });
  let answer = '';
  let usage: TokenUsage | undefined;
  try {
    for await (const event of resolution.provider.complete({ ...prompt, maxOutputTokens: resolution.maxOutputTokens, signal })) {
      if (event.type === 'delta') {
        answer += event.text;
        o.onDelta(event.text);
      } else usage = { inputTokens: event.inputTokens, outputTokens: event.outputTokens };
    }
  } catch (cause) {
    // A call cut short (visitor gone, timeout) or that wrote something was paid for; an upstream
    // that refused at once (an HTTP error, no connection) bills nothing.
    const paid = signal.aborted || answer !== '' || usage !== undefined;
    const spent = usage ?? { inputTokens: paid ? promptTokens(prompt) : 0, outputTokens: estimateTokens(answer) };
    const charged = settle(spent);
    const released = o.sessions.release(session.sessionId, o.replyId);
    if (o.signal.aborted) {
      await Promise.all([charged, released]);
      throw cause; // the visitor left: the count stays, nothing more to say
    }
    logger.error(JSON.stringify({ level: 'error', widgetId: widget.widgetId, message: 'upstream failed', error: String(cause) }));
    const refunded = refundMessage(o.doc, o.table, admission);
    await Promise.all([charged, released, refunded, counters.refused(widget.widgetId, 'upstream_error', o.started)]);
    throw new PerchError('upstream_error', { cause, corsOrigin });
  }
  const finalUsage = usage ?? { inputTokens: promptTokens(prompt), outputTokens: estimateTokens(answer) };
  const at = (o.now ?? Date.now)();
  const turns: Turn[] = [
    { id: randomUUID(), role: 'visitor', text: o.text, at: o.started },
    { id: randomUUID(), role: 'assistant', text: answer, at: Math.max(at, o.started + 1) },
  ];
  const [stored, settled] = await Promise.allSettled([
    o.sessions.appendTurns(session, o.replyId, turns, expirySeconds(at, widget.retentionDays)),
    settle(finalUsage),
  ]);
  const failure = [stored, settled].find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) {
    // A 5xx after admission gives the count back (the cost stays: the model was paid).
    await Promise.allSettled([refundMessage(o.doc, o.table, admission), o.sessions.release(session.sessionId, o.replyId)]);
    throw failure.reason;
  }
  return { messageId: turns[1]!.id, text: answer, usage: finalUsage };
}
