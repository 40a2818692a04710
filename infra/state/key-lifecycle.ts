import { KEY_GRACE_MS } from '../../functions/keys/public-key';

/** A key version a target still holds: in its table (local) or in Pulumi state (AWS). */
export interface HeldKey {
  version: number;
  /** When a later version replaced it; a key below the version in use without one retires now. */
  retiredAt?: number;
}

export interface KeyLifecycleOptions {
  widgetId: string;
  /** The config's `keyRotation`: the version that should be in use. */
  keyRotation: number;
  held: readonly HeldKey[];
  now: number;
}

export type KeyLifecycle =
  | { refusal: string }
  | {
      /** The version in use; `issue` when no key holds it yet (first deploy or rotation). */
      current: number;
      issue: boolean;
      /** Older versions whose sessions still work, oldest first. */
      retired: { version: number; graceUntil: number }[];
      /** Older versions whose grace has ended: their key items go. */
      expired: number[];
    };

/**
 * The key rules of DESIGN.md, shared by the local reconciler and the Pulumi program so both give
 * the same keys for the same history: `keyRotation` above every held version issues it and retires
 * the others for 2 hours from their rotation; below one, it is refused (keys never go back).
 * Example: held 0 and 1 (0 retired at t), keyRotation 3 at now → issue 3; 0 until t + 2 h,
 * 1 until now + 2 h.
 */
export function planKeyLifecycle({ widgetId, keyRotation, held, now }: KeyLifecycleOptions): KeyLifecycle {
  if (held.some((k) => k.version > keyRotation)) {
    // No version in the text: Pulumi state tells the program that a later one was issued, not which.
    return {
      refusal:
        `widgets.${widgetId}.keyRotation went back to ${keyRotation}, below a key version already issued; ` +
        'keys never go back: set it back to the version in use, or higher to rotate',
    };
  }
  const older = held
    .filter((k) => k.version < keyRotation)
    .map((k) => ({ version: k.version, graceUntil: (k.retiredAt ?? now) + KEY_GRACE_MS }))
    .sort((a, b) => a.version - b.version);
  return {
    current: keyRotation,
    issue: !held.some((k) => k.version === keyRotation),
    retired: older.filter((k) => k.graceUntil > now),
    expired: older.filter((k) => k.graceUntil <= now).map((k) => k.version),
  };
}
