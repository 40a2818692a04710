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
import { expirySeconds, orderedTurns, type SessionStore, type Turn } from '../sessions/session-record';
import type { SessionKeys } from '../sessions/signing-secret';
import { utcDay } from '../usage/day';
import { buildPrompt } from './prompt';
import { createSseStream, formatSseEvent } from './sse';

export const MAX_MESSAGE_CHARS = 4000;

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
  return async (request: ApiRequest): Promise<StreamingApiResponse> => {
    if (request.method === 'OPTIONS') {
      return preflightResponse(await authorizeSessionPreflight(request, { sessions, findWidget, now: now() }), 'POST, OPTIONS');
    }
    if (request.method !== 'POST') throw new PerchError('method_not_allowed', { headers: { Allow: 'POST, OPTIONS' } });
    const started = now();
    const keys = await loadKeys();
    const auth = await authorizeSession(request, { sessions, keys, now: started });
    const { widget, corsOrigin } = auth;
    let admission: Admission;
    let text: string;
    let resolution: Extract<ProviderResolution, { ready: true }>;
    try {
      text = parseJsonBody(request.body, messageBodySchema, { corsOrigin }).text.trim();
      if (text === '') throw new PerchError('bad_request', { message: 'text: must not be empty', corsOrigin });
      const resolved = await resolveProvider(widget);
      if (!resolved.ready) {
        logger.error(JSON.stringify({ level: 'error', widgetId: widget.widgetId, message: `bot not ready: ${resolved.reason}` }));
        throw new PerchError('bot_not_ready', { corsOrigin });
      }
      resolution = resolved;
      admission = await admitMessage({
        doc: options.doc,
        table: options.table,
        widgetId: widget.widgetId,
        limits: widget.limits,
        visitor: visitorHash(keys.visitorSalt, request.sourceIp, utcDay(started)),
        now: started,
        corsOrigin,
      });
    } catch (error) {
      if (error instanceof PerchError) await counters.refused(widget.widgetId, error.code, started);
      throw error;
    }

    const reply = (signal: AbortSignal, onDelta: (text: string) => void) =>
      runReply({ ...options, auth, text, resolution, admission, signal, onDelta, started });

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
  text: string;
  resolution: Extract<ProviderResolution, { ready: true }>;
  admission: Admission;
  signal: AbortSignal;
  onDelta: (text: string) => void;
  started: number;
}

/** Token counts estimated from the text, for providers that report no usage. */
function estimatedUsage(prompt: { system: string; turns: { text: string }[] }, answer: string): TokenUsage {
  return {
    inputTokens: estimateTokens(prompt.system) + prompt.turns.reduce((n, t) => n + estimateTokens(t.text), 0),
    outputTokens: estimateTokens(answer),
  };
}

/**
 * Streams the model's answer; on success stores both turns and the usage, on upstream failure
 * gives the message's count back and throws `upstream_error`. A visitor who disconnects
 * aborts the upstream call.
 */
async function runReply(o: RunReplyOptions): Promise<Reply> {
  const { auth, resolution, admission, counters, logger = console } = o;
  const { widget, session, corsOrigin } = auth;
  const prompt = buildPrompt(widget.systemPrompt, orderedTurns(session), o.text);
  const signal = AbortSignal.any([o.signal, AbortSignal.timeout(o.timeoutMs ?? 60_000)]);
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
    const spent = usage ?? estimatedUsage(prompt, answer);
    // Text the model already wrote was paid for: it counts toward the daily budget, or answers
    // cut short (visitor gone, upstream failed or timed out) would never reach dailyBudgetUsd.
    const charge = answer ? counters.replied(widget.widgetId, admission.day, { ...spent, costUsd: replyCost(resolution.pricing, spent) }) : undefined;
    if (o.signal.aborted) {
      await charge;
      throw cause; // the visitor left: the count stays, nothing more to say
    }
    logger.error(JSON.stringify({ level: 'error', widgetId: widget.widgetId, message: 'upstream failed', error: String(cause) }));
    await Promise.all([charge, refundMessage(o.doc, o.table, admission), counters.refused(widget.widgetId, 'upstream_error', o.started)]);
    throw new PerchError('upstream_error', { cause, corsOrigin });
  }
  const finalUsage = usage ?? estimatedUsage(prompt, answer);
  const at = (o.now ?? Date.now)();
  const turns: Turn[] = [
    { id: randomUUID(), role: 'visitor', text: o.text, at: o.started },
    { id: randomUUID(), role: 'assistant', text: answer, at: Math.max(at, o.started + 1) },
  ];
  await Promise.all([
    o.sessions.appendTurns(session, turns, expirySeconds(at, widget.retentionDays)),
    counters.replied(widget.widgetId, admission.day, { ...finalUsage, costUsd: replyCost(resolution.pricing, finalUsage) }),
  ]);
  return { messageId: turns[1]!.id, text: answer, usage: finalUsage };
}
