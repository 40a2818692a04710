import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import { marshall } from '@aws-sdk/util-dynamodb';
import { KEY_GRACE_MS } from '../../functions/keys/public-key';
import { isWidgetRecord, type ManagedRecord } from '../../functions/records/table';
import type { ResolvedWidget } from '../config/resolve';
import { widgetRecords, type WidgetKeys } from '../state/desired';

/** 24 bytes from the CSPRNG: `pk_` + 32 base64url characters, 192 bits (DESIGN.md asks ≥ 128). */
const KEY_BYTES = 24;

export interface WidgetRecordsArgs {
  widget: ResolvedWidget;
  table: aws.dynamodb.Table;
}

type KeySlot = 'even' | 'odd';
const slotOf = (version: number): KeySlot => (version % 2 === 0 ? 'even' : 'odd');

/** `RandomBytes.base64` → the public key format of `functions/keys/public-key.ts`. */
export const publicKeyFromBase64 = (base64: string): string =>
  `pk_${base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;

/** A UUIDv7 starts with its creation time: 48 bits of Unix milliseconds. */
export const uuid7Millis = (uuid: string): number => parseInt(uuid.replace(/-/g, '').slice(0, 12), 16);

/** The item JSON `aws.dynamodb.TableItem` takes, marshalled as the runtime's document client would. */
export const tableItemJson = (record: ManagedRecord): string =>
  JSON.stringify(marshall(record, { removeUndefinedValues: true, convertClassInstanceToMap: false }));

export interface RetiredKeySource {
  widgetId: string;
  /** The config's `keyRotation`: the version of the key in use. */
  version: number;
  /** The other slot's key bytes and the version its keepers were made for. */
  base64: string;
  keptVersion: string | undefined;
  /** The UUIDv7 made when `keyRotation` took its current value. */
  rotatedAt: string;
}

/**
 * The previous key, retired with a grace deadline of rotation time + 2 h. A slot holding a
 * version at or above the current one means `keyRotation` went back: refuse rather than revive
 * a retired key (keys never go back, as on the local target).
 */
export function retiredKey({ widgetId, version, base64, keptVersion, rotatedAt }: RetiredKeySource): WidgetKeys['retired'][number] {
  const previousVersion = Number(keptVersion);
  if (!(previousVersion < version)) {
    throw new Error(
      `widgets.${widgetId}.keyRotation went back to ${version}, but key version ${previousVersion} is already issued; keys never go back: set keyRotation to ${previousVersion + 1} to rotate`,
    );
  }
  return { publicKey: publicKeyFromBase64(base64), version: previousVersion, graceUntil: uuid7Millis(rotatedAt) + KEY_GRACE_MS };
}

/**
 * One widget's records, as one node in `pulumi preview` (a reviewer sees exactly which widgets
 * a PR touches). The items come from `widgetRecords`, the same function the local reconciler
 * uses; Pulumi owns them (WIDGET#/KEY# items, `managedBy` set), the runtime never writes them.
 *
 * Keys live in two `random.RandomBytes` slots kept in Pulumi state. The slot of version `v` is
 * `v % 2`; its keepers carry `keyRotation`, so raising it replaces that slot's key and nothing
 * else. The other slot holds the previous key: declared with `ignoreChanges: ['keepers']`, it
 * is never re-generated, and its keepers still report the version it was made for. The grace
 * deadline is the rotation time + 2 h, read from a `random.RandomUuid7` keyed on the same
 * `keyRotation`: a UUIDv7 embeds its creation time, so the timestamp is made once, at the
 * rotating `pulumi up`, and stays fixed in state on every later run (a `Date.now()` in the
 * program would move the deadline on each run; a dynamic provider would do the same job with
 * serialised provider code). Raise `keyRotation` one step at a time: a jump by an even number
 * lands on the slot of the key in use and replaces it without a grace period. A widget first
 * deployed with `keyRotation > 0` also gets a never-issued "previous" key, harmless: nobody
 * holds it and its grace ends two hours later.
 */
export class WidgetRecords extends pulumi.ComponentResource {
  readonly publicKey: pulumi.Output<string>;
  /** The records the items hold (fails, like the program, when keyRotation went back). */
  readonly records: pulumi.Output<ManagedRecord[]>;
  readonly items: aws.dynamodb.TableItem[];

  constructor(name: string, { widget, table }: WidgetRecordsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('perch:config:Widget', name, {}, opts);
    const child = { parent: this };
    const version = widget.keyRotation;
    const keepers = (keyVersion: number) => ({ keyRotation: String(keyVersion) });

    const currentKey = new random.RandomBytes(`${widget.id}-key-${slotOf(version)}`, { length: KEY_BYTES, keepers: keepers(version) }, child);
    this.publicKey = pulumi.unsecret(currentKey.base64).apply(publicKeyFromBase64);

    let retired: pulumi.Output<WidgetKeys['retired'][number]> | undefined;
    if (version > 0) {
      const previousKey = new random.RandomBytes(
        `${widget.id}-key-${slotOf(version - 1)}`,
        { length: KEY_BYTES, keepers: keepers(version - 1) },
        { ...child, ignoreChanges: ['keepers'] },
      );
      const rotatedAt = new random.RandomUuid7(`${widget.id}-rotated`, { keepers: keepers(version) }, child);
      retired = pulumi
        .all([pulumi.unsecret(previousKey.base64), previousKey.keepers, rotatedAt.result])
        .apply(([base64, previousKeepers, uuid]) =>
          retiredKey({ widgetId: widget.id, version, base64, keptVersion: previousKeepers?.keyRotation, rotatedAt: uuid }),
        );
    }

    // Made with the component and kept in state: a widget removed and declared again gets a new one.
    const incarnation = new random.RandomUuid(`${widget.id}-incarnation`, {}, child);
    this.records = pulumi
      .all([incarnation.result, this.publicKey, retired])
      .apply(([id, publicKey, previous]) =>
        widgetRecords(widget, { incarnation: id, current: { publicKey, version }, retired: previous ? [previous] : [] }),
      );
    const item = (itemName: string, pick: (records: ManagedRecord[]) => ManagedRecord | undefined) =>
      new aws.dynamodb.TableItem(
        itemName,
        {
          tableName: table.name,
          hashKey: 'pk',
          rangeKey: 'sk',
          item: this.records.apply((all) => {
            const record = pick(all);
            if (!record) throw new Error(`${itemName}: widgetRecords produced no such record`);
            return tableItemJson(record);
          }),
        },
        child,
      );
    const isCurrentKey = (r: ManagedRecord) => !isWidgetRecord(r) && r.keyVersion === version;
    const isRetiredKey = (r: ManagedRecord) => !isWidgetRecord(r) && r.keyVersion !== version;
    this.items = [
      item(`${widget.id}-config`, (all) => all.find(isWidgetRecord)),
      item(`${widget.id}-key-${slotOf(version)}-item`, (all) => all.find(isCurrentKey)),
      ...(retired ? [item(`${widget.id}-key-${slotOf(version - 1)}-item`, (all) => all.find(isRetiredKey))] : []),
    ];
    this.registerOutputs({ publicKey: this.publicKey });
  }
}
