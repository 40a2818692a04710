import { KEY_GRACE_MS, PUBLIC_KEY_PATTERN } from '../../functions/keys/public-key';
import { ConfigError } from '../../infra/config/load';
import { formatPlan } from '../../infra/reconcile/print';
import { config, docsBot, docsKeyItem, helpBot, T0, useReconcileTable } from './reconcile-table';

// What the local target shows and stores for a rotation; the rules themselves are the table of
// cases both targets run (test/infra/key-rotation.test.ts).
const { apply, getWidget, getKey, allItems } = useReconcileTable('rotation');

describe('key rotation', () => {
  test('raising keyRotation issues a new key and keeps the old one until now + 2 h', async () => {
    await apply(config({ 'docs-bot': docsBot() }), T0 - 60_000);
    const old = (await getWidget('docs-bot'))!;

    const result = await apply(config({ 'docs-bot': docsBot({ keyRotation: 1 }) }), T0);

    expect(result.plan.changes.map((c) => c.action)).toEqual(['rotate-key']);
    const rotated = (await getWidget('docs-bot'))!;
    expect(rotated.publicKey).toMatch(PUBLIC_KEY_PATTERN);
    expect(rotated.publicKey).not.toBe(old.publicKey);
    expect(rotated).toMatchObject({ keyVersion: 1, keyGrace: { '0': T0 + KEY_GRACE_MS } });
    expect(rotated.incarnation).toBe(old.incarnation);
    expect(await getKey(rotated.publicKey)).toEqual(
      docsKeyItem(rotated.publicKey, { keyVersion: 1, incarnation: old.incarnation }),
    );
    expect(await getKey(old.publicKey)).toEqual(
      docsKeyItem(old.publicKey, { keyVersion: 0, incarnation: old.incarnation, graceUntil: T0 + 2 * 60 * 60 * 1000 }),
    );
    const printed = formatPlan(result.plan);
    expect(printed).toContain('± widget docs-bot (rotate-key)');
    expect(printed).toContain(`key version 0 → 1`);
    expect(printed).toContain('Plan: 0 to create, 0 to update, 1 to rotate, 0 to delete.');
  });

  test('within the grace period nothing changes; after it the old key is deleted', async () => {
    await apply(config({ 'docs-bot': docsBot() }), T0 - 60_000);
    const old = (await getWidget('docs-bot'))!;
    const rotatedConfig = config({ 'docs-bot': docsBot({ keyRotation: 1 }) });
    await apply(rotatedConfig, T0);

    expect((await apply(rotatedConfig, T0 + KEY_GRACE_MS - 1)).plan.changes).toEqual([]);
    const after = await apply(rotatedConfig, T0 + KEY_GRACE_MS);

    expect(after.plan.changes.map((c) => c.action)).toEqual(['update']);
    expect(after.plan.changes[0]!.notes).toContain('rotated key version 0 passed its grace period: deleted');
    expect(await getKey(old.publicKey)).toBeUndefined();
    expect(await getWidget('docs-bot')).toMatchObject({ keyVersion: 1, keyGrace: {} });
    expect((await apply(rotatedConfig, T0 + KEY_GRACE_MS + 1)).plan.changes).toEqual([]);
  });

  test('two rotations in a row keep both older keys, each with its own deadline', async () => {
    await apply(config({ 'docs-bot': docsBot() }), T0);
    const v0 = (await getWidget('docs-bot'))!.publicKey;
    await apply(config({ 'docs-bot': docsBot({ keyRotation: 1 }) }), T0 + 1000);
    const v1 = (await getWidget('docs-bot'))!.publicKey;
    await apply(config({ 'docs-bot': docsBot({ keyRotation: 3 }) }), T0 + 2000);

    expect(await getWidget('docs-bot')).toMatchObject({
      keyVersion: 3,
      keyGrace: { '0': T0 + 1000 + KEY_GRACE_MS, '1': T0 + 2000 + KEY_GRACE_MS },
    });
    expect(await getKey(v0)).toMatchObject({ keyVersion: 0, graceUntil: T0 + 1000 + KEY_GRACE_MS });
    expect(await getKey(v1)).toMatchObject({ keyVersion: 1, graceUntil: T0 + 2000 + KEY_GRACE_MS });
  });

  test('a lowered keyRotation fails the apply listing every refused widget, and writes nothing', async () => {
    await apply(config({ 'docs-bot': docsBot({ keyRotation: 2 }), 'help-bot': { ...helpBot(), keyRotation: 1 } }));
    const before = await allItems();

    const lowered = apply(config({ 'docs-bot': docsBot({ keyRotation: 1 }), 'help-bot': helpBot() }), T0 + 1000);

    await expect(lowered).rejects.toThrow(ConfigError);
    await expect(lowered).rejects.toMatchObject({
      problems: [
        expect.stringMatching(/^widgets\.docs-bot\.keyRotation went back to 1, below a key version already issued/),
        expect.stringMatching(/^widgets\.help-bot\.keyRotation went back to 0, below a key version already issued/),
      ],
    });
    expect(await allItems()).toEqual(before);
  });
});
