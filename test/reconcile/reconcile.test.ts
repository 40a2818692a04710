import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { KEY_GRACE_MS, PUBLIC_KEY_PATTERN } from '../../functions/keys/public-key';
import { publicKeyKey, widgetKey } from '../../functions/records/table';
import { formatPlan } from '../../infra/reconcile/print';
import { config, docsBot, docsKeyItem, helpBot, T0, useReconcileTable } from './reconcile-table';

// Key rotation: key-rotation.test.ts here, and the table of cases both targets run in test/infra.
const db = useReconcileTable('reconcile');
const { apply, getItem, getWidget, getKey, allItems } = db;

describe('create', () => {
  test('the first apply creates a widget item and a key item per widget, with a fresh public key', async () => {
    const result = await apply(config({ 'docs-bot': docsBot(), 'help-bot': helpBot() }));

    expect(result.plan.changes.map((c) => [c.widgetId, c.action])).toEqual([
      ['docs-bot', 'create'],
      ['help-bot', 'create'],
    ]);
    expect(result.writes).toBe(4);
    const docs = (await getWidget('docs-bot'))!;
    expect(docs).toMatchObject({
      name: 'Docs',
      allowedOrigins: ['https://docs.example.com'],
      keyVersion: 0,
      keyGrace: {},
      status: 'active',
    });
    expect(docs.publicKey).toMatch(PUBLIC_KEY_PATTERN);
    expect(await getKey(docs.publicKey)).toEqual(
      docsKeyItem(docs.publicKey, { keyVersion: 0, incarnation: docs.incarnation }),
    );
    const help = (await getWidget('help-bot'))!;
    expect(help.publicKey).not.toBe(docs.publicKey);
    expect(help.incarnation).not.toBe(docs.incarnation);
    expect(result.widgets.map((w) => w.publicKey)).toEqual([docs.publicKey, help.publicKey]);
  });

  test('the create plan prints Terraform-style with a summary line', async () => {
    const result = await apply(
      config({ 'docs-bot': docsBot(), open: { name: 'Open', model: 'local', faq: [{ question: 'q', answer: 'a' }] } }),
    );
    const printed = formatPlan(result.plan);

    expect(printed).toContain('+ widget docs-bot (create)');
    expect(printed).toContain('+ widget open (create)');
    expect(printed).toContain('allowedOrigins:  ["https://docs.example.com"]');
    expect(printed).toContain(`public key:      ${result.widgets[0]!.publicKey} (version 0)`);
    expect(printed).toContain('! warning: widgets.open.allowedOrigins is empty');
    expect(printed.split('\n').at(-1)).toBe('Plan: 2 to create, 0 to update, 0 to rotate, 0 to delete.');
  });
});

describe('idempotence', () => {
  test('a second apply of the same config plans 0 changes and writes nothing', async () => {
    const resolved = config({
      'docs-bot': docsBot({ limits: { perVisitorPerDay: 5, dailyBudgetUsd: 1.25 } }),
      'help-bot': helpBot(),
    });
    const first = await apply(resolved);
    const before = await allItems();

    const second = await apply(resolved);

    expect(second.plan.changes).toEqual([]);
    expect(second.writes).toBe(0);
    expect(await allItems()).toEqual(before);
    expect(second.widgets.map((w) => w.publicKey)).toEqual(first.widgets.map((w) => w.publicKey));
    expect(formatPlan(second.plan)).toContain('No changes. The table matches the config.');
    expect(formatPlan(second.plan).split('\n').at(-1)).toBe(
      'Plan: 0 to create, 0 to update, 0 to rotate, 0 to delete.',
    );
  });

  test('a model binding written with an explicit undefined field does not plan an update every time', async () => {
    const models = {
      claude: {
        provider: 'bedrock',
        modelId: 'anthropic.claude',
        region: undefined,
        pricing: { inputPerMTok: 1, outputPerMTok: 5 },
      },
    };
    await apply(config({ 'docs-bot': docsBot({ model: 'claude' }) }, models));
    expect((await apply(config({ 'docs-bot': docsBot({ model: 'claude' }) }, models))).plan.changes).toEqual([]);
  });
});

describe('update', () => {
  test('a changed field is planned as an update listing exactly the changed fields, and keeps the key', async () => {
    await apply(config({ 'docs-bot': docsBot(), 'help-bot': helpBot() }));
    const { publicKey } = (await getWidget('docs-bot'))!;

    const result = await apply(
      config({
        'docs-bot': docsBot({ name: 'Docs v2', allowedOrigins: ['https://*.example.com'], limits: { perDay: 50 } }),
        'help-bot': helpBot(),
      }),
    );

    expect(result.plan.changes).toHaveLength(1);
    const [change] = result.plan.changes;
    expect(change!.action).toBe('update');
    expect(change!.fields).toEqual([
      { field: 'name', before: 'Docs', after: 'Docs v2' },
      { field: 'allowedOrigins', before: ['https://docs.example.com'], after: ['https://*.example.com'] },
      { field: 'limits', before: { perMinute: 10, perDay: 200 }, after: { perMinute: 10, perDay: 50 } },
    ]);
    expect(result.writes).toBe(1);
    expect(await getWidget('docs-bot')).toMatchObject({
      name: 'Docs v2',
      allowedOrigins: ['https://*.example.com'],
      publicKey,
    });
    const printed = formatPlan(result.plan);
    expect(printed).toContain('~ widget docs-bot (update)');
    expect(printed).toContain('name: "Docs" → "Docs v2"');
    expect(printed).toContain('Plan: 0 to create, 1 to update, 0 to rotate, 0 to delete.');
  });

  test('pausing a widget is an update of its status that keeps its key', async () => {
    await apply(config({ 'docs-bot': docsBot() }));
    const { publicKey } = (await getWidget('docs-bot'))!;

    const result = await apply(config({ 'docs-bot': docsBot({ status: 'paused' }) }));

    expect(result.plan.changes[0]!.fields).toEqual([{ field: 'status', before: 'active', after: 'paused' }]);
    expect(await getWidget('docs-bot')).toMatchObject({ status: 'paused', publicKey });
    expect(await getKey(publicKey)).toMatchObject({ widgetId: 'docs-bot' });
  });
});

describe('delete', () => {
  test('a widget removed from the config loses its widget item and every key item', async () => {
    await apply(config({ 'docs-bot': docsBot(), 'help-bot': helpBot() }));
    const old = (await getWidget('docs-bot'))!;
    await apply(config({ 'docs-bot': docsBot({ keyRotation: 1 }), 'help-bot': helpBot() }), T0);
    const rotated = (await getWidget('docs-bot'))!;

    const result = await apply(config({ 'help-bot': helpBot() }), T0 + 1000);

    expect(result.plan.changes.map((c) => [c.widgetId, c.action])).toEqual([['docs-bot', 'delete']]);
    expect(result.plan.changes[0]!.deletes).toHaveLength(3);
    expect(await getWidget('docs-bot')).toBeUndefined();
    expect(await getKey(old.publicKey)).toBeUndefined();
    expect(await getKey(rotated.publicKey)).toBeUndefined();
    expect(await getWidget('help-bot')).toBeDefined();
    const printed = formatPlan(result.plan);
    expect(printed).toContain('- widget docs-bot (delete)');
    expect(printed).toContain('Plan: 0 to create, 0 to update, 0 to rotate, 1 to delete.');
  });
});

describe('drift repair', () => {
  test('a widget item edited by hand plans an update of that field, and apply restores it', async () => {
    const resolved = config({ 'docs-bot': docsBot() });
    await apply(resolved);
    await db.doc.send(
      new UpdateCommand({
        TableName: db.table,
        Key: widgetKey('docs-bot'),
        UpdateExpression: 'SET allowedOrigins = :o, #extra = :x',
        ExpressionAttributeNames: { '#extra': 'addedByHand' },
        ExpressionAttributeValues: { ':o': ['https://evil.example.net'], ':x': 1 },
      }),
    );

    const result = await apply(resolved);

    expect(result.plan.changes).toHaveLength(1);
    expect(result.plan.changes[0]!.action).toBe('update');
    expect(result.plan.changes[0]!.fields).toEqual([
      { field: 'allowedOrigins', before: ['https://evil.example.net'], after: ['https://docs.example.com'] },
      { field: 'addedByHand', before: 1, after: undefined },
    ]);
    const repaired = (await getWidget('docs-bot'))!;
    expect(repaired.allowedOrigins).toEqual(['https://docs.example.com']);
    expect(repaired).not.toHaveProperty('addedByHand');
    expect((await apply(resolved)).plan.changes).toEqual([]);
  });

  test('a public key typed into the widget item by hand is put back; the typed key never works', async () => {
    const resolved = config({ 'docs-bot': docsBot() });
    await apply(resolved);
    const { publicKey } = (await getWidget('docs-bot'))!;
    const forged = 'pk_forgedforgedforgedforgedforged';
    await db.doc.send(
      new UpdateCommand({
        TableName: db.table,
        Key: widgetKey('docs-bot'),
        UpdateExpression: 'SET publicKey = :k',
        ExpressionAttributeValues: { ':k': forged },
      }),
    );

    const result = await apply(resolved);

    expect(result.plan.changes.map((c) => c.action)).toEqual(['update']);
    expect(result.plan.changes[0]!.fields).toEqual([{ field: 'publicKey', before: forged, after: publicKey }]);
    expect((await getWidget('docs-bot'))!).toMatchObject({ publicKey, keyGrace: {} });
    expect(await getKey(forged)).toBeUndefined();
    expect((await apply(resolved)).plan.changes).toEqual([]);
  });

  test('a widget item replaced by hand with PutCommand is restored in full with the same key', async () => {
    const resolved = config({ 'docs-bot': docsBot() });
    await apply(resolved);
    const original = (await getWidget('docs-bot'))!;
    await db.doc.send(
      new PutCommand({
        TableName: db.table,
        Item: { ...original, name: 'Hacked', status: 'paused', theme: { primary: '#000000', position: 'bottom-left' } },
      }),
    );

    const result = await apply(resolved);

    expect(result.plan.changes[0]!.fields.map((f) => f.field)).toEqual(['name', 'theme', 'status']);
    expect(await getWidget('docs-bot')).toEqual(original);
  });

  test('a key item deleted by hand is restored with the same key', async () => {
    const resolved = config({ 'docs-bot': docsBot() });
    await apply(resolved);
    const { publicKey } = (await getWidget('docs-bot'))!;
    const keyItem = await getKey(publicKey);
    await db.doc.send(new DeleteCommand({ TableName: db.table, Key: publicKeyKey(publicKey) }));

    const result = await apply(resolved);

    expect(result.plan.changes.map((c) => c.action)).toEqual(['update']);
    expect(result.plan.changes[0]!.notes).toContain('key item for version 0 restored');
    expect(await getKey(publicKey)).toEqual(keyItem);
    expect((await getWidget('docs-bot'))!.publicKey).toBe(publicKey);
  });

  test('a key item pointed at another widget by hand goes back to its widget, without touching the other', async () => {
    const resolved = config({ 'docs-bot': docsBot({ keyRotation: 5 }), 'help-bot': helpBot() });
    await apply(resolved);
    const docs = (await getWidget('docs-bot'))!;
    const help = (await getWidget('help-bot'))!;
    await db.doc.send(
      new UpdateCommand({
        TableName: db.table,
        Key: publicKeyKey(docs.publicKey),
        UpdateExpression: 'SET widgetId = :w',
        ExpressionAttributeValues: { ':w': 'help-bot' },
      }),
    );

    const result = await apply(resolved);

    expect(result.plan.changes.map((c) => [c.widgetId, c.action])).toEqual([['docs-bot', 'update']]);
    expect(await getKey(docs.publicKey)).toMatchObject({ widgetId: 'docs-bot', keyVersion: 5 });
    expect(await getWidget('help-bot')).toEqual(help);
    expect((await apply(resolved)).plan.changes).toEqual([]);
  });

  test('a widget item deleted by hand is restored with the key its key item holds', async () => {
    const resolved = config({ 'docs-bot': docsBot() });
    await apply(resolved);
    const original = (await getWidget('docs-bot'))!;
    await db.doc.send(new DeleteCommand({ TableName: db.table, Key: widgetKey('docs-bot') }));

    const result = await apply(resolved);

    expect(result.plan.changes.map((c) => c.action)).toEqual(['update']);
    expect(await getWidget('docs-bot')).toEqual(original);
  });
});

describe('runtime items', () => {
  test('sessions and counters survive create, update, rotation and delete', async () => {
    const runtime = [
      { pk: 'SESSION#s1', sk: 'SESSION', widgetId: 'docs-bot', keyVersion: 0, expiresAt: 2_000_000_000 },
      { pk: 'COUNTER#docs-bot', sk: 'DAY#2026-01-15', widgetId: 'docs-bot', day: '2026-01-15', cur: 3 },
      { pk: 'WIDGET#docs-bot', sk: 'USAGE#2026-01-15', widgetId: 'docs-bot', messages: 4 },
    ];
    for (const Item of runtime) await db.doc.send(new PutCommand({ TableName: db.table, Item }));

    await apply(config({ 'docs-bot': docsBot() }));
    await apply(config({ 'docs-bot': docsBot({ name: 'Docs v2' }) }));
    await apply(config({ 'docs-bot': docsBot({ name: 'Docs v2', keyRotation: 1 }) }));
    await apply(config({ 'help-bot': helpBot() }), T0 + 3 * KEY_GRACE_MS);

    for (const item of runtime) expect(await getItem({ pk: item.pk, sk: item.sk })).toEqual(item);
  });
});
