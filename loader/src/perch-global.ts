import type { PerchEvent } from './contract';

type Listener = (detail?: unknown) => void;
type Command = [name: string, ...args: unknown[]];
type PerchControls = Record<'open' | 'close' | 'toggle', () => void> & {
  on(event: PerchEvent, fn: Listener): () => void;
  /** Signs the visitor in (the site's identity token) for the next session start; no token signs out. */
  identify(token?: string): void;
};
type PerchApi = PerchControls & {
  /** The command queue: runs at once now that the loader is here. */
  q: { push(...commands: Command[]): void };
};
export type PerchGlobal = { Perch?: Partial<PerchApi> | { q?: Command[] } };

/** A second copy of the tag must not draw a second widget. */
export const isInstalled = (global: PerchGlobal): boolean => !!global.Perch && 'toggle' in global.Perch;

// One widget per page: the host page's listeners are module state, like the bubble's parts.
const listeners: Record<PerchEvent, Set<Listener>> = { open: new Set(), close: new Set(), message: new Set() };

export function emit(event: PerchEvent, detail?: unknown): void {
  listeners[event].forEach((fn) => {
    try {
      fn(detail);
    } catch (error) {
      console.error(error); // a host page's listener must not break the widget
    }
  });
}

/** `Perch.on(event, fn)`: returns the function that unsubscribes. */
export function on(event: PerchEvent, fn: Listener): () => void {
  // Own keys only: `Perch.on('constructor', …)` must not reach Object.prototype.
  const set = Object.hasOwn(listeners, event) ? listeners[event] : undefined;
  if (typeof fn === 'function') set?.add(fn);
  return () => void set?.delete(fn);
}

/**
 * Sets `window.Perch`, the only global, and runs the calls the page queued before the loader
 * ran: `window.Perch = { q: [['open'], ['on', 'message', fn]] }`.
 */
export function installPerch(global: PerchGlobal, controls: PerchControls): void {
  const run = (command: Command) => {
    const [name, ...args] = Array.isArray(command) ? command : [''];
    // Own keys only: a queued `['constructor']` must not call Object.prototype's.
    if (Object.hasOwn(controls, name)) (controls[name as keyof PerchControls] as (...a: unknown[]) => void)(...args);
  };
  const perch: PerchApi = { ...controls, q: { push: (...commands) => commands.forEach(run) } };
  const queued = global.Perch?.q;
  global.Perch = perch;
  if (Array.isArray(queued)) queued.forEach(run);
}
