export interface StoredSession {
  sessionId: string;
  token: string;
}

/**
 * The visitor's session for one public key, kept in `localStorage` so a reload resumes the
 * conversation. Consent-first (DESIGN.md): creating the store touches no storage; the first
 * `read()` (when the visitor opens the panel) reads it, and only a started session writes it.
 * Storage can be blocked (privacy settings, sandboxed frames): then the session lives as long
 * as the page.
 */
export function createSessionStore(publicKey: string) {
  const name = `perch:${publicKey}`;
  let memory: StoredSession | undefined;
  let isRead = false;
  return {
    read(): StoredSession | undefined {
      if (isRead) return memory;
      isRead = true;
      try {
        const parsed = JSON.parse(localStorage.getItem(name) ?? 'null');
        if (typeof parsed?.sessionId === 'string' && typeof parsed?.token === 'string') memory = parsed;
      } catch {
        // blocked or corrupt: start without a stored session
      }
      return memory;
    },
    write(session: StoredSession): void {
      isRead = true;
      memory = { sessionId: session.sessionId, token: session.token };
      try {
        localStorage.setItem(name, JSON.stringify(memory));
      } catch {
        // blocked or full: the session still works until the page goes
      }
    },
  };
}
