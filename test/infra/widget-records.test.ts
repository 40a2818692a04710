import { unmarshall } from '@aws-sdk/util-dynamodb';
import { KEY_GRACE_MS, PUBLIC_KEY_PATTERN } from '../../functions/keys/public-key';
import { MANAGED_BY } from '../../functions/records/table';
import { validateConfig } from '../../infra/config/load';
import { resolveConfig, type ResolvedWidget } from '../../infra/config/resolve';
import { widgetRecords } from '../../infra/state/desired';
import { createPerchTable } from '../../infra/aws/table';
import { retiredKey, uuid7Millis, WidgetRecords } from '../../infra/aws/widget-records';
import { MockEngine, type Deployment, type MockResource } from './mock-engine';

const TABLE_ITEM = 'aws:dynamodb/tableItem:TableItem';
const RANDOM_BYTES = 'random:index/randomBytes:RandomBytes';

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

const componentUrnOf = (widgetId: string) => `urn:pulumi:dev::perch::perch:config:Widget::${widgetId}`;

describe('widget records on the AWS target', () => {
  test('each widget is one component whose table items are exactly widgetRecords(widget, keys)', async () => {
    // Arrange
    const widgets = widgetsOf({ 'docs-bot': docsBot(), playground: docsBot({ name: 'Playground', allowedOrigins: [] }) });
    // Act
    const deployment = await deployWidgets(new MockEngine(), widgets);
    // Assert
    expect(deployment.byType('perch:config:Widget').map((r) => r.name).sort()).toEqual(['docs-bot', 'playground']);
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
    expect(items.length).toBe(3);
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
    expect(second.changes()).toMatchObject({ [`${TABLE_ITEM}::docs-bot-config`]: 'update', [`${TABLE_ITEM}::docs-bot-key-even-item`]: 'same' });
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
      [`${RANDOM_BYTES}::docs-bot-key-even`]: 'same',
      [`${RANDOM_BYTES}::docs-bot-key-odd`]: 'create',
      [`${TABLE_ITEM}::docs-bot-key-even-item`]: 'update',
      [`${TABLE_ITEM}::docs-bot-key-odd-item`]: 'create',
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

  test('a second rotation drops the key retired by the first and retires the one in use', async () => {
    const engine = new MockEngine();
    const v0 = (await deployWidgets(engine, widgetsOf({ 'docs-bot': docsBot() }))).outputs;
    const v1 = (await deployWidgets(engine, widgetsOf({ 'docs-bot': docsBot({ keyRotation: 1 }) }))).outputs;
    const second = await deployWidgets(engine, widgetsOf({ 'docs-bot': docsBot({ keyRotation: 2 }) }));
    const v2 = second.outputs['docs-bot'];
    const keyItems = itemsOf(second, 'docs-bot').filter((i) => i.sk === 'KEY');
    expect(keyItems.map((i) => [i.pk, i.keyVersion]).sort()).toEqual(
      [
        [`KEY#${v1['docs-bot']}`, 1],
        [`KEY#${v2}`, 2],
      ].sort(),
    );
    expect(keyItems.some((i) => i.pk === `KEY#${v0['docs-bot']}`)).toBe(false);
    expect(second.changes()).toMatchObject({ [`${RANDOM_BYTES}::docs-bot-key-even`]: 'replace', [`${RANDOM_BYTES}::docs-bot-key-odd`]: 'same' });
  });

  test('lowering keyRotation below an issued version is refused instead of reviving an old key', () => {
    // Under `pulumi up` this error fails the program before any item is written.
    const source = { widgetId: 'docs-bot', base64: 'AAAA', rotatedAt: '01890a5d-ac96-774b-bcce-b302099a8057' };
    expect(() => retiredKey({ ...source, version: 1, keptVersion: '2' })).toThrow(
      'widgets.docs-bot.keyRotation went back to 1, but key version 2 is already issued; keys never go back: set keyRotation to 3 to rotate',
    );
    expect(() => retiredKey({ ...source, version: 2, keptVersion: '2' })).toThrow(/went back to 2/);
    expect(() => retiredKey({ ...source, version: 2, keptVersion: undefined })).toThrow(/went back/);
  });

  test('the retired key deadline is the UUIDv7 rotation time plus the grace period', () => {
    const rotatedAt = '01890a5d-ac96-774b-bcce-b302099a8057'; // its first 48 bits are the Unix milliseconds
    expect(retiredKey({ widgetId: 'w', version: 1, keptVersion: '0', base64: '+/8=', rotatedAt })).toEqual({
      publicKey: 'pk_-_8',
      version: 0,
      graceUntil: 0x01890a5dac96 + KEY_GRACE_MS,
    });
    expect(uuid7Millis(rotatedAt)).toBe(0x01890a5dac96);
  });

  test('removing a widget deletes its component, keys and items and leaves the others alone', async () => {
    const engine = new MockEngine();
    await deployWidgets(engine, widgetsOf({ 'docs-bot': docsBot(), playground: docsBot({ name: 'Playground' }) }));
    const after = await deployWidgets(engine, widgetsOf({ playground: docsBot({ name: 'Playground' }) }));
    expect(after.deletes.sort()).toEqual(
      [
        'perch:config:Widget::docs-bot',
        `${RANDOM_BYTES}::docs-bot-key-even`,
        'random:index/randomUuid:RandomUuid::docs-bot-incarnation',
        `${TABLE_ITEM}::docs-bot-config`,
        `${TABLE_ITEM}::docs-bot-key-even-item`,
      ].sort(),
    );
    expect(after.resources.filter((r) => r.name.startsWith('playground')).every((r) => r.operation === 'same')).toBe(true);
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
});
