import { unmarshall } from '@aws-sdk/util-dynamodb';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import { KEY_GRACE_MS, PUBLIC_KEY_PATTERN } from '../../functions/keys/public-key';
import { isWidgetRecord, MANAGED_BY, type ManagedRecord } from '../../functions/records/table';
import { createPerchTable } from '../../infra/aws/table';
import { publicKeyFromBase64, tableItemJson, WidgetRecords } from '../../infra/aws/widget-records';
import { validateConfig } from '../../infra/config/load';
import { type ResolvedWidget, resolveConfig } from '../../infra/config/resolve';
import { widgetRecords } from '../../infra/state/desired';
import { type Deployment, MockEngine, type MockResource } from './mock-engine';

const TABLE_ITEM = 'aws:dynamodb/tableItem:TableItem';
const RANDOM_BYTES = 'random:index/randomBytes:RandomBytes';
const RANDOM_UUID = 'random:index/randomUuid:RandomUuid';

function widgetsOf(widgets: Record<string, object>): ResolvedWidget[] {
  const config = validateConfig({ models: { local: { provider: 'faq' } }, widgets });
  return resolveConfig(config, 'dev').widgets;
}

const docsBot = (extra: object = {}) => ({
  name: 'Docs assistant',
  model: 'local',
  allowedOrigins: ['https://docs.example.com'],
  faq: [{ question: 'Q?', answer: 'A.' }],
  ...extra,
});

/** Deploys the table and one WidgetRecords component per widget, as the program does. */
function deployWidgets(engine: MockEngine, widgets: ResolvedWidget[]) {
  return engine.run(() => {
    const table = createPerchTable({ production: false });
    const components = widgets.map((widget) => new WidgetRecords(widget.id, { widget, table }));
    return Object.fromEntries(components.map((c, i) => [widgets[i]!.id, c.publicKey]));
  });
}

const itemsOf = (deployment: Deployment<unknown>, widgetId: string) =>
  deployment
    .byType(TABLE_ITEM)
    .filter((r) => r.name.startsWith(`${widgetId}-`))
    .map((r) => unmarshall(JSON.parse(r.inputs.item)));

/** What a stack deployed with the two parity key slots holds for a widget at keyRotation 1. */
function deploySlotWidget(engine: MockEngine, widget: ResolvedWidget) {
  return engine.run(() => {
    const table = createPerchTable({ production: false });
    const opts = { parent: new pulumi.ComponentResource('perch:config:Widget', widget.id, {}) };
    const slot = (parity: string, keyRotation: string) =>
      new random.RandomBytes(`${widget.id}-key-${parity}`, { length: 24, keepers: { keyRotation } }, opts);
    const key = slot('odd', '1');
    const retired = slot('even', '0');
    new random.RandomUuid7(`${widget.id}-rotated`, { keepers: { keyRotation: '1' } }, opts);
    const incarnation = new random.RandomUuid(`${widget.id}-incarnation`, {}, opts);
    const records = pulumi.all([incarnation.result, key.base64]).apply(([id, base64]) =>
      widgetRecords(widget, {
        incarnation: id,
        current: { publicKey: publicKeyFromBase64(base64), version: 1 },
        retired: [],
      }),
    );
    const item = (name: string, pick: (r: ManagedRecord) => boolean) =>
      new aws.dynamodb.TableItem(
        `${widget.id}-${name}`,
        {
          tableName: table.name,
          hashKey: 'pk',
          rangeKey: 'sk',
          item: records.apply((all) => tableItemJson(all.find(pick)!)),
        },
        opts,
      );
    item('config', isWidgetRecord);
    item('key-odd-item', (r) => !isWidgetRecord(r));
    return {
      [widget.id]: records.apply((all) => all.find(isWidgetRecord)!.publicKey),
      retiredSlotKey: pulumi.unsecret(retired.base64).apply(publicKeyFromBase64),
    };
  });
}

const componentUrnOf = (widgetId: string) => `urn:pulumi:dev::perch::perch:config:Widget::${widgetId}`;

describe('widget records on the AWS target', () => {
  test('each widget is one component whose table items are exactly widgetRecords(widget, keys)', async () => {
    // Arrange
    const widgets = widgetsOf({
      'docs-bot': docsBot(),
      playground: docsBot({ name: 'Playground', allowedOrigins: [] }),
    });
    // Act
    const deployment = await deployWidgets(new MockEngine(), widgets);
    // Assert
    expect(
      deployment
        .byType('perch:config:Widget')
        .map((r) => r.name)
        .sort(),
    ).toEqual(['docs-bot', 'playground']);
    for (const widget of widgets) {
      const publicKey = deployment.outputs[widget.id]!;
      expect(publicKey).toMatch(PUBLIC_KEY_PATTERN);
      expect(publicKey).toHaveLength(3 + 32);
      const incarnation = deployment.resources.find((r) => r.name === `${widget.id}-incarnation`)!.outputs.result;
      const expected = widgetRecords(widget, { incarnation, current: { publicKey, version: 0 }, retired: [] });
      expect(itemsOf(deployment, widget.id)).toEqual(expected);
      const children = deployment.resources.filter((r) => r.name.startsWith(`${widget.id}-`));
      expect(children.every((r: MockResource) => r.parent === componentUrnOf(widget.id))).toBe(true);
    }
  });

  test('every item Pulumi writes is a config or key item marked managedBy, never a runtime item', async () => {
    const deployment = await deployWidgets(new MockEngine(), widgetsOf({ 'docs-bot': docsBot({ keyRotation: 1 }) }));
    const items = deployment.byType(TABLE_ITEM);
    // A first deploy at 1 issues version 1 only: version 0 was never handed out, so has no item.
    expect(items.length).toBe(2);
    for (const resource of items) {
      const item = unmarshall(JSON.parse(resource.inputs.item));
      expect(resource.inputs).toMatchObject({ hashKey: 'pk', rangeKey: 'sk' });
      expect(item.pk).toMatch(/^(WIDGET#|KEY#)/);
      expect(item.sk).toMatch(/^(CONFIG|KEY)$/);
      expect(item.managedBy).toBe(MANAGED_BY);
      expect(item).not.toHaveProperty('expiresAt');
    }
  });

  test('a second run with the same state keeps the key and changes nothing', async () => {
    const engine = new MockEngine();
    const widgets = widgetsOf({ 'docs-bot': docsBot() });
    const first = await deployWidgets(engine, widgets);
    const second = await deployWidgets(engine, widgets);
    expect(second.outputs).toEqual(first.outputs);
    expect(Object.values(second.changes()).every((op) => op === 'same')).toBe(true);
  });

  test('editing a widget updates its config item only; the key stays', async () => {
    const engine = new MockEngine();
    const first = await deployWidgets(engine, widgetsOf({ 'docs-bot': docsBot() }));
    const second = await deployWidgets(engine, widgetsOf({ 'docs-bot': docsBot({ greeting: 'Hello there' }) }));
    expect(second.outputs).toEqual(first.outputs);
    expect(second.changes()).toMatchObject({
      [`${TABLE_ITEM}::docs-bot-config`]: 'update',
      [`${TABLE_ITEM}::docs-bot-key-v0-item`]: 'same',
    });
    expect(itemsOf(second, 'docs-bot')[0]).toMatchObject({ greeting: 'Hello there' });
  });

  test('raising keyRotation issues a new key and keeps the old one for the 2-hour grace period', async () => {
    // Arrange
    const engine = new MockEngine();
    const first = await deployWidgets(engine, widgetsOf({ 'docs-bot': docsBot() }));
    const oldKey = first.outputs['docs-bot']!;
    // Act
    const before = Date.now();
    const rotated = await deployWidgets(engine, widgetsOf({ 'docs-bot': docsBot({ keyRotation: 1 }) }));
    const after = Date.now();
    // Assert
    const newKey = rotated.outputs['docs-bot']!;
    expect(newKey).toMatch(PUBLIC_KEY_PATTERN);
    expect(newKey).not.toBe(oldKey);
    expect(rotated.changes()).toMatchObject({
      [`${RANDOM_BYTES}::docs-bot-key-v0`]: 'same',
      [`${RANDOM_BYTES}::docs-bot-key-v1`]: 'create',
      [`${TABLE_ITEM}::docs-bot-key-v0-item`]: 'update',
      [`${TABLE_ITEM}::docs-bot-key-v1-item`]: 'create',
      [`${TABLE_ITEM}::docs-bot-config`]: 'update',
    });
    const items = itemsOf(rotated, 'docs-bot');
    const config = items.find((i) => i.sk === 'CONFIG')!;
    const oldItem = items.find((i) => i.pk === `KEY#${oldKey}`)!;
    expect(config).toMatchObject({ publicKey: newKey, keyVersion: 1 });
    expect(oldItem.keyVersion).toBe(0);
    expect(oldItem.graceUntil).toBeGreaterThanOrEqual(before + KEY_GRACE_MS - 1);
    expect(oldItem.graceUntil).toBeLessThanOrEqual(after + KEY_GRACE_MS);
    expect(config.keyGrace).toEqual({ '0': oldItem.graceUntil });
    expect(items.find((i) => i.pk === `KEY#${newKey}`)).toMatchObject({ keyVersion: 1 });
    expect(items.find((i) => i.pk === `KEY#${newKey}`)).not.toHaveProperty('graceUntil');
  });

  test('the grace deadline stays fixed on later runs (it is the rotation time, kept in state)', async () => {
    const engine = new MockEngine();
    await deployWidgets(engine, widgetsOf({ 'docs-bot': docsBot() }));
    const rotated = await deployWidgets(engine, widgetsOf({ 'docs-bot': docsBot({ keyRotation: 1 }) }));
    await new Promise((resolve) => setTimeout(resolve, 5));
    const later = await deployWidgets(engine, widgetsOf({ 'docs-bot': docsBot({ keyRotation: 1 }) }));
    expect(itemsOf(later, 'docs-bot')).toEqual(itemsOf(rotated, 'docs-bot'));
    expect(Object.values(later.changes()).every((op) => op === 'same')).toBe(true);
  });

  test('removing a widget deletes its component, keys and items and leaves the others alone', async () => {
    const engine = new MockEngine();
    await deployWidgets(engine, widgetsOf({ 'docs-bot': docsBot(), playground: docsBot({ name: 'Playground' }) }));
    const after = await deployWidgets(engine, widgetsOf({ playground: docsBot({ name: 'Playground' }) }));
    expect(after.deletes.sort()).toEqual(
      [
        'perch:config:Widget::docs-bot',
        `${RANDOM_BYTES}::docs-bot-key-v0`,
        `${RANDOM_UUID}::docs-bot-reached-v1`,
        `${RANDOM_UUID}::docs-bot-incarnation`,
        `${TABLE_ITEM}::docs-bot-config`,
        `${TABLE_ITEM}::docs-bot-key-v0-item`,
      ].sort(),
    );
    expect(after.resources.filter((r) => r.name.startsWith('playground')).every((r) => r.operation === 'same')).toBe(
      true,
    );
  });

  test('a widget removed and declared again is a new incarnation; an updated one keeps its own', async () => {
    const engine = new MockEngine();
    const incarnationOf = (deployment: Awaited<ReturnType<typeof deployWidgets>>) =>
      itemsOf(deployment, 'docs-bot').find((r) => r.sk === 'CONFIG')!.incarnation as string;
    const first = incarnationOf(await deployWidgets(engine, widgetsOf({ 'docs-bot': docsBot() })));
    const updated = incarnationOf(await deployWidgets(engine, widgetsOf({ 'docs-bot': docsBot({ name: 'Renamed' }) })));
    await deployWidgets(engine, widgetsOf({ playground: docsBot() }));
    const redeclared = incarnationOf(await deployWidgets(engine, widgetsOf({ 'docs-bot': docsBot() })));

    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(updated).toBe(first);
    expect(redeclared).not.toBe(first);
  });

  test('a stack deployed with the two parity key slots keeps its key in use and that key item', async () => {
    // Arrange
    const engine = new MockEngine();
    const [widget] = widgetsOf({ 'docs-bot': docsBot({ keyRotation: 1 }) });
    const before = await deploySlotWidget(engine, widget!);
    // Act
    const after = await deployWidgets(engine, [widget!]);
    // Assert
    expect(after.outputs['docs-bot']).toBe(before.outputs['docs-bot']);
    expect(after.changes()).toMatchObject({
      [`${RANDOM_BYTES}::docs-bot-key-v1`]: 'same',
      [`${TABLE_ITEM}::docs-bot-key-v1-item`]: 'same',
      [`${TABLE_ITEM}::docs-bot-config`]: 'same',
    });
    expect(after.deletes.sort()).toEqual([
      `${RANDOM_BYTES}::docs-bot-key-even`,
      'random:index/randomUuid7:RandomUuid7::docs-bot-rotated',
    ]);
  });

  test('a slot stack upgraded and rotated in one run is refused; one run as deployed recovers it', async () => {
    // Arrange: upgrading at keyRotation 2 would hand version 2 the slot holding retired version 0.
    const engine = new MockEngine();
    const slots = (await deploySlotWidget(engine, widgetsOf({ 'docs-bot': docsBot({ keyRotation: 1 }) })[0]!)).outputs;
    const at = (keyRotation: number) => deployWidgets(engine, widgetsOf({ 'docs-bot': docsBot({ keyRotation }) }));
    // Act
    const refused = at(2);
    await expect(refused).rejects.toThrow(
      'widgets.docs-bot: this stack keeps its keys in the two slots of an earlier Perch; ' +
        'run pulumi up once with the keyRotation it was deployed with, then change it',
    );
    const upgraded = await at(1);
    const rotated = await at(2);
    // Assert
    expect(upgraded.outputs['docs-bot']).toBe(slots['docs-bot']);
    const keys = itemsOf(rotated, 'docs-bot')
      .filter((i) => i.sk === 'KEY')
      .sort((a, b) => a.keyVersion - b.keyVersion);
    expect(keys.map((i) => [i.pk, i.keyVersion, i.graceUntil === undefined])).toEqual([
      [`KEY#${slots['docs-bot']}`, 1, false],
      [`KEY#${rotated.outputs['docs-bot']}`, 2, true],
    ]);
    expect(rotated.outputs['docs-bot']).not.toBe(slots.retiredSlotKey);
  });
});
