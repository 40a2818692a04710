import { unmarshall } from '@aws-sdk/util-dynamodb';
import * as pulumi from '@pulumi/pulumi';
import { KEY_GRACE_MS } from '../../functions/keys/public-key';
import { isWidgetRecord, type KeyRecord, type ManagedRecord } from '../../functions/records/table';
import { createPerchTable } from '../../infra/aws/table';
import { WidgetRecords } from '../../infra/aws/widget-records';
import { ConfigError } from '../../infra/config/load';
import type { ResolvedConfig } from '../../infra/config/resolve';
import { listManagedRecords } from '../../infra/reconcile/store';
import { config, docsBot, T0, useReconcileTable } from '../reconcile/reconcile-table';
import { MockEngine } from './mock-engine';

// One table of rotation cases, run against both targets: the local reconciler on dynalite and
// the Pulumi program under the mock engine must hold the same keys for the same history.

const G = KEY_GRACE_MS;
const T1 = T0 + 60_000;
const T2 = T0 + 120_000;

/** Per live key version: 'in use', or the end of its grace. */
type Keys = Record<number, 'in use' | number>;
type Outcome = Keys | { refused: string };
interface Step {
  keyRotation: number;
  at: number;
  expect: Outcome;
}

const lowered = (to: number) => ({
  refused:
    `widgets.docs-bot.keyRotation went back to ${to}, below a key version already issued; ` +
    'keys never go back: set it back to the version in use, or higher to rotate',
});

const CASES: [string, Step[]][] = [
  ['first deploy at 0', [{ keyRotation: 0, at: T0, expect: { 0: 'in use' } }]],
  ['first deploy at 2: the skipped versions were never issued', [{ keyRotation: 2, at: T0, expect: { 2: 'in use' } }]],
  [
    '0 → 1: the old key is in grace for 2 h from the rotation',
    [
      { keyRotation: 0, at: T0, expect: { 0: 'in use' } },
      { keyRotation: 1, at: T1, expect: { 1: 'in use', 0: T1 + G } },
      { keyRotation: 1, at: T2, expect: { 1: 'in use', 0: T1 + G } },
    ],
  ],
  [
    '0 → 2 jump: the old key keeps its grace',
    [
      { keyRotation: 0, at: T0, expect: { 0: 'in use' } },
      { keyRotation: 2, at: T1, expect: { 2: 'in use', 0: T1 + G } },
    ],
  ],
  [
    '1 → 0 lowered: refused, and nothing changes',
    [
      { keyRotation: 0, at: T0, expect: { 0: 'in use' } },
      { keyRotation: 1, at: T1, expect: { 1: 'in use', 0: T1 + G } },
      { keyRotation: 0, at: T2, expect: lowered(0) },
      { keyRotation: 1, at: T2, expect: { 1: 'in use', 0: T1 + G } },
    ],
  ],
  [
    '2 → 1 lowered to a version never issued: refused',
    [
      { keyRotation: 2, at: T0, expect: { 2: 'in use' } },
      { keyRotation: 1, at: T1, expect: lowered(1) },
      { keyRotation: 2, at: T1, expect: { 2: 'in use' } },
    ],
  ],
  [
    'rotation, then the grace ends and the old key goes',
    [
      { keyRotation: 0, at: T0, expect: { 0: 'in use' } },
      { keyRotation: 1, at: T1, expect: { 1: 'in use', 0: T1 + G } },
      { keyRotation: 1, at: T1 + G - 1, expect: { 1: 'in use', 0: T1 + G } },
      { keyRotation: 1, at: T1 + G, expect: { 1: 'in use' } },
    ],
  ],
  [
    'two rotations inside one grace: both old keys, each with its own deadline',
    [
      { keyRotation: 0, at: T0, expect: { 0: 'in use' } },
      { keyRotation: 1, at: T1, expect: { 1: 'in use', 0: T1 + G } },
      { keyRotation: 2, at: T2, expect: { 2: 'in use', 0: T1 + G, 1: T2 + G } },
      { keyRotation: 2, at: T1 + G, expect: { 2: 'in use', 1: T2 + G } },
      { keyRotation: 2, at: T2 + G, expect: { 2: 'in use' } },
    ],
  ],
];

const configAt = (keyRotation: number) => config({ 'docs-bot': docsBot({ keyRotation }) });

/** One target: applies a config at a time, answers the widget's records or the refusal. */
type Apply = (config: ResolvedConfig, now: number) => Promise<ManagedRecord[] | { refused: string }>;

interface Target {
  name: string;
  start(): Apply;
}

const db = useReconcileTable('rotation');
const local: Target = {
  name: 'local reconciler on dynalite',
  start: () => async (resolved, now) => {
    const before = await listManagedRecords(db.doc, db.table);
    try {
      await db.apply(resolved, now);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      expect(await listManagedRecords(db.doc, db.table)).toEqual(before);
      return { refused: error.problems.join('\n') };
    }
    return listManagedRecords(db.doc, db.table);
  },
};

const aws: Target = {
  name: 'Pulumi program under the mock engine',
  start() {
    const engine = new MockEngine();
    return async (resolved, now) => {
      const [widget] = resolved.widgets;
      try {
        const deployment = await engine.run(() => {
          const table = createPerchTable({ production: false });
          return { publicKey: new WidgetRecords(widget!.id, { widget: widget!, table, now }).publicKey };
        });
        return deployment
          .byType('aws:dynamodb/tableItem:TableItem')
          .map((r) => unmarshall(JSON.parse(r.inputs.item)) as ManagedRecord);
      } catch (error) {
        if (!pulumi.RunError.isInstance(error)) throw error;
        return { refused: error.message };
      }
    };
  },
};

/** The live keys the records hold; checks the widget item agrees with its key items. */
function keysOf(records: ManagedRecord[]): Keys {
  const config = records.find(isWidgetRecord)!;
  const keyItems = records.filter((r): r is KeyRecord => !isWidgetRecord(r));
  const keys: Keys = Object.fromEntries(keyItems.map((k) => [k.keyVersion, k.graceUntil ?? 'in use']));
  expect({ [config.keyVersion]: 'in use', ...config.keyGrace }).toEqual(keys);
  expect(keyItems.find((k) => k.keyVersion === config.keyVersion)!.pk).toBe(`KEY#${config.publicKey}`);
  return keys;
}

describe.each([local, aws])('key rotation on the $name', (target) => {
  test.each(CASES)('%s', async (_name, steps) => {
    const apply = target.start();
    const keyOfVersion = new Map<number, string>();
    for (const step of steps) {
      const result = await apply(configAt(step.keyRotation), step.at);
      if ('refused' in result) {
        expect(result).toEqual(step.expect);
        continue;
      }
      expect(keysOf(result)).toEqual(step.expect);
      // A version's key never changes while it is live.
      for (const key of result.filter((r): r is KeyRecord => !isWidgetRecord(r))) {
        expect(key.pk).toBe(keyOfVersion.get(key.keyVersion) ?? key.pk);
        keyOfVersion.set(key.keyVersion, key.pk);
      }
    }
  });
});
