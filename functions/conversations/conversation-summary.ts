import type { KnowledgeSource } from '../knowledge/passage';
import { orderedTurns, type SessionRecord } from '../sessions/session-record';
import { utcDay } from '../usage/day';

/** One conversation as an operator's listing shows it. */
export interface ConversationSummary {
  sessionId: string;
  widgetId: string;
  /** The UTC day it started: the day it is listed under. */
  day: string;
  startedAt: string;
  /** The last stored turn, or the start when there is none. */
  lastActivityAt: string;
  turnCount: number;
  ratings: { up: number; down: number };
  /** The signed-in visitor; absent when anonymous. */
  sub?: string;
  origin: string;
  /** The visitor's first question, on one line and cut to PREVIEW_CHARS. */
  preview: string;
}

/** One conversation whole, as `--jsonl` exports it (one JSON object per line). */
export interface ConversationExport extends Omit<ConversationSummary, 'turnCount' | 'preview'> {
  /** When it is deleted unless the visitor writes again (`retentionDays` after the last turn). */
  expiresAt: string;
  turns: {
    id: string;
    role: 'visitor' | 'assistant';
    text: string;
    at: string;
    rating?: 'up' | 'down';
    sources?: KnowledgeSource[];
  }[];
}

export interface ConversationFilter {
  /** Only conversations with at least one answer rated this way. */
  rating?: 'up' | 'down';
  /** Only conversations where a turn contains this text (case- and accent-insensitive). */
  search?: string;
}

export const PREVIEW_CHARS = 60;

const iso = (epochMs: number) => new Date(epochMs).toISOString();

const fold = (text: string) => text.normalize('NFKD').replace(/\p{M}/gu, '').toLocaleLowerCase('en');

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

/** True when the session holds at least one turn: a session opened without a message is no conversation. */
export const hasTurns = (session: SessionRecord) => Object.keys(session.turns ?? {}).length > 0;

export function summarizeConversation(session: SessionRecord): ConversationSummary {
  const turns = orderedTurns(session);
  const question = oneLine(turns.find((turn) => turn.role === 'visitor')?.text ?? '');
  return {
    ...identity(session),
    lastActivityAt: iso(turns.at(-1)?.at ?? session.createdAt),
    turnCount: turns.length,
    ratings: countRatings(session),
    preview: question.length > PREVIEW_CHARS ? `${question.slice(0, PREVIEW_CHARS - 1)}…` : question,
  };
}

export function exportConversation(session: SessionRecord): ConversationExport {
  const turns = orderedTurns(session);
  return {
    ...identity(session),
    lastActivityAt: iso(turns.at(-1)?.at ?? session.createdAt),
    expiresAt: iso(session.expiresAt * 1000),
    ratings: countRatings(session),
    turns: turns.map(({ id, role, text, at, rating, sources }) => ({
      id,
      role,
      text,
      at: iso(at),
      ...(rating ? { rating } : {}),
      ...(sources ? { sources } : {}),
    })),
  };
}

/** Builds the filter once (the search text folded once), then tests sessions against it. */
export function conversationMatcher({ rating, search }: ConversationFilter): (session: SessionRecord) => boolean {
  const needle = search === undefined ? undefined : fold(search);
  return (session) => {
    const turns = Object.values(session.turns ?? {});
    if (rating !== undefined && !turns.some((turn) => turn.rating === rating)) return false;
    if (needle !== undefined && !turns.some((turn) => fold(turn.text).includes(needle))) return false;
    return true;
  };
}

function identity(session: SessionRecord) {
  return {
    sessionId: session.sessionId,
    widgetId: session.widgetId,
    day: utcDay(session.createdAt),
    startedAt: iso(session.createdAt),
    ...(session.sub !== undefined ? { sub: session.sub } : {}),
    origin: session.origin,
  };
}

function countRatings(session: SessionRecord) {
  const ratings = { up: 0, down: 0 };
  for (const turn of Object.values(session.turns ?? {})) if (turn.rating) ratings[turn.rating] += 1;
  return ratings;
}
