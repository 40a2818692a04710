import { marshall } from '@aws-sdk/util-dynamodb';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import { isWidgetRecord, type ManagedRecord } from '../../functions/records/table';
import type { ResolvedWidget } from '../config/resolve';
import { widgetRecords } from '../state/desired';
import { type HeldKey, type KeyLifecycle, planKeyLifecycle } from '../state/key-lifecycle';

/** 24 bytes from the CSPRNG: `pk_` + 32 base64url characters, 192 bits (DESIGN.md asks ≥ 128). */
const KEY_BYTES = 24;

export interface WidgetRecordsArgs {
  widget: ResolvedWidget;
  table: aws.dynamodb.Table;
  /** The time of this run: a key made now keeps it in state as the rotation time. */
  now?: number;
  /** The objects of the knowledge artifacts the widget names: its config item is written after them. */
  knowledgeArtifacts?: readonly pulumi.Resource[];
}

/** `RandomBytes.base64` → the public key format of `functions/keys/public-key.ts`. */
export const publicKeyFromBase64 = (base64: string): string =>
  `pk_${base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;

/** The item JSON `aws.dynamodb.TableItem` takes, marshalled as the runtime's document client would. */
export const tableItemJson = (record: ManagedRecord): string =>
  JSON.stringify(marshall(record, { removeUndefinedValues: true, convertClassInstanceToMap: false }));

/** What a version's key recorded when a run made it: that run's keyRotation and time. */
type MadeBy = { keyRotation?: string; madeAt?: string } | undefined;

/** The resources that hold a widget's key history, or why the run must not make them. */
type KeyState = { refusal: string } | { keys: random.RandomBytes[]; probe: random.RandomUuid };

/**
 * The key history Pulumi state holds, as `planKeyLifecycle` reads it. Version `v`'s key is made
 * by the first run whose keyRotation reaches `v`, so `v` was issued when that run's keyRotation is
 * `v` (a jump makes the skipped versions' keys, never issued), and it retired when the run that
 * made `v + 1` ran. A reached probe above keyRotation means a higher version was issued.
 */
function heldKeys(keyRotation: number, made: readonly MadeBy[], probeReached: boolean): HeldKey[] {
  const held: HeldKey[] = made.flatMap((key, version) => {
    if (key?.keyRotation !== String(version)) return [];
    const next = version < keyRotation ? made[version + 1]?.madeAt : undefined;
    return [{ version, retiredAt: next === undefined ? undefined : Number(next) }];
  });
  return probeReached ? [...held, { version: keyRotation + 1 }] : held;
}

/**
 * One widget's records, as one node in `pulumi preview` (a reviewer sees exactly which widgets
 * a PR touches). The items come from `widgetRecords` and the keys from `planKeyLifecycle`, as on
 * the local target; Pulumi owns them (WIDGET#/KEY# items, `managedBy` set).
 *
 * A program knows only the config, and a resource shows a program nothing of its earlier state
 * but inputs frozen by `ignoreChanges`. So the history lives in write-once resources named by
 * version: `<id>-key-v<n>` (`random.RandomBytes`) for every n up to keyRotation, its keepers
 * frozen at the keyRotation and time of the run that made it; and `<id>-reached-v<n>` markers up
 * to keyRotation + 1, where the one above is a frozen probe, so a lowered keyRotation finds it
 * reached and is refused before anything changes. The rotation time lives in keepers, not in a
 * computed output, so `pulumi preview` already knows which keys are live. Keys of skipped and
 * expired versions stay in state (random bytes, nothing in AWS); only live keys get an item.
 */
export class WidgetRecords extends pulumi.ComponentResource {
  readonly publicKey: pulumi.Output<string>;

  constructor(
    name: string,
    { widget, table, now = Date.now(), knowledgeArtifacts = [] }: WidgetRecordsArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super('perch:config:Widget', name, {}, opts);
    const child = { parent: this };
    const version = widget.keyRotation;
    const versions = Array.from({ length: version + 1 }, (_, v) => v);
    const slotOf = (v: number) => `${widget.id}-key-${v % 2 === 0 ? 'even' : 'odd'}`;

    const keyOf = (v: number, aliases: pulumi.Alias[] = []) =>
      new random.RandomBytes(
        `${widget.id}-key-v${v}`,
        { length: KEY_BYTES, keepers: { keyRotation: String(version), madeAt: String(now) } },
        { ...child, ignoreChanges: ['keepers'], aliases },
      );
    const reachedMarker = (v: number) =>
      new random.RandomUuid(
        `${widget.id}-reached-v${v}`,
        { keepers: { reached: String(v <= version) } },
        v <= version ? child : { ...child, ignoreChanges: ['keepers'] },
      );
    // A stack deployed with the two parity slots hands this name the slot of keyRotation's parity,
    // which holds this version only if keyRotation is unchanged since (its keepers have no time).
    // Otherwise the run stops before making any other state, so setting keyRotation back recovers.
    const inUse = keyOf(version, [{ name: slotOf(version) }]);
    const state = inUse.keepers.apply((kept: MadeBy): KeyState => {
      if (kept?.madeAt === undefined && kept?.keyRotation !== String(version)) {
        return {
          refusal:
            `widgets.${widget.id}: this stack keeps its keys in the two slots of an earlier Perch; ` +
            'run pulumi up once with the keyRotation it was deployed with, then change it',
        };
      }
      const keys = [...versions.slice(0, -1).map((v) => keyOf(v)), inUse];
      const markers = [...versions.slice(1), version + 1].map(reachedMarker);
      return { keys, probe: markers[markers.length - 1]! };
    });
    const lifecycle = state.apply((made): pulumi.Output<KeyLifecycle> => {
      if ('refusal' in made) return pulumi.output(made);
      return pulumi.all([pulumi.all(made.keys.map((k) => k.keepers)), made.probe.keepers]).apply(([keepers, probe]) => {
        const held = heldKeys(version, keepers as MadeBy[], probe?.reached === 'true');
        return planKeyLifecycle({ widgetId: widget.id, keyRotation: version, held, now });
      });
    });
    const publicKeys = state.apply((made) =>
      'refusal' in made ? [] : pulumi.all(made.keys.map((k) => pulumi.unsecret(k.base64))),
    );

    // Made with the component and kept in state: a widget removed and declared again gets a new one.
    const incarnation = new random.RandomUuid(`${widget.id}-incarnation`, {}, child);
    const records = pulumi.all([incarnation.result, lifecycle, publicKeys]).apply(([id, held, base64]) => {
      if ('refusal' in held) return [];
      const publicKeyOf = (v: number) => publicKeyFromBase64(base64[v]!);
      return widgetRecords(widget, {
        incarnation: id,
        current: { publicKey: publicKeyOf(version), version },
        retired: held.retired.map((k) => ({ ...k, publicKey: publicKeyOf(k.version) })),
      });
    });
    // The refusal fails the run through the stack outputs (a RunError prints without a stack trace).
    this.publicKey = pulumi.all([lifecycle, records]).apply(([held, all]) => {
      if ('refusal' in held) throw new pulumi.RunError(held.refusal);
      return all.find(isWidgetRecord)!.publicKey;
    });

    const item = (
      itemName: string,
      pick: (record: ManagedRecord) => boolean,
      { aliases = [], dependsOn = [] }: { aliases?: pulumi.Alias[]; dependsOn?: readonly pulumi.Resource[] } = {},
    ) =>
      new aws.dynamodb.TableItem(
        itemName,
        {
          tableName: table.name,
          hashKey: 'pk',
          rangeKey: 'sk',
          item: records.apply((all) => {
            const record = all.find(pick);
            if (!record) throw new Error(`${itemName}: widgetRecords produced no such record`);
            return tableItemJson(record);
          }),
        },
        { ...child, aliases, dependsOn: [...dependsOn] },
      );
    // Named by version, so a key keeps its item from issue to the end of its grace: two names for
    // one DynamoDB item would let the delete of the old name remove what the new one wrote.
    const keyItem = (v: number, aliases?: pulumi.Alias[]) =>
      item(`${widget.id}-key-v${v}-item`, (r) => !isWidgetRecord(r) && r.keyVersion === v, { aliases });
    // Declared once the state is read (keepers are known in preview too); a refused widget
    // declares none, so the failed run writes and deletes nothing.
    lifecycle.apply((held) => {
      if ('refusal' in held) return;
      // A record never names an artifact that is not in the bucket yet.
      item(`${widget.id}-config`, isWidgetRecord, { dependsOn: knowledgeArtifacts });
      keyItem(version, [{ name: `${slotOf(version)}-item` }]);
      for (const k of held.retired) keyItem(k.version);
    });
    // Not the key: outputs that fail on a refusal would fail here a second time.
    this.registerOutputs({});
  }
}
