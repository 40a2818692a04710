import { gunzipSync, gzipSync } from 'node:zlib';
import { ARTIFACT_FORMAT, artifactName, decodeArtifact, loadArtifact } from '../../functions/knowledge/artifact';
import { searchPassages } from '../../functions/knowledge/search-index';
import { buildArtifact } from '../../infra/knowledge/build-artifact';
import { DIGEST, snapshotOf } from './knowledge-fixtures';

const FILES = {
  'docs/keys.md':
    '# Keys\n\nRaise keyRotation to rotate the public key.\n\n## Grace period\n\nOld sessions keep working.',
  'docs/limits.md': '---\ntitle: Limits\n---\nperMinute and perDay bound each widget.',
  'notes.txt': 'Plain notes about origins.',
};

describe('buildArtifact', () => {
  test('splits every file into passages with their source and url, and counts them per file', () => {
    const built = buildArtifact(snapshotOf(FILES, { url: 'https://docs.example.com/{slug}#{anchor}' }));

    expect(built.digest).toBe(DIGEST);
    expect(built.passages).toBe(4);
    expect(built.warnings).toEqual([]);
    expect(built.files).toEqual([
      { path: 'docs/keys.md', digest: '0'.repeat(64), passages: 2 },
      { path: 'docs/limits.md', digest: '1'.repeat(64), passages: 1 },
      { path: 'notes.txt', digest: '2'.repeat(64), passages: 1 },
    ]);
    expect(decodeArtifact(built.bytes, DIGEST).passages.slice(0, 2)).toEqual([
      {
        title: 'Keys',
        path: 'docs/keys.md',
        url: 'https://docs.example.com/docs/keys',
        text: 'Raise keyRotation to rotate the public key.',
      },
      {
        title: 'Keys › Grace period',
        path: 'docs/keys.md',
        url: 'https://docs.example.com/docs/keys#grace-period',
        text: 'Old sessions keep working.',
      },
    ]);
  });

  test('a base without a url template gives passages without url', () => {
    const { passages } = decodeArtifact(buildArtifact(snapshotOf(FILES)).bytes, DIGEST);
    expect(passages.every((p) => !('url' in p))).toBe(true);
  });

  test('the same snapshot always gives the same bytes', () => {
    expect(buildArtifact(snapshotOf(FILES)).bytes.equals(buildArtifact(snapshotOf(FILES)).bytes)).toBe(true);
  });

  test('a file without text is listed with no passages', () => {
    const built = buildArtifact(snapshotOf({ 'empty.md': '', 'a.md': '# A\n\nx' }));
    expect(built.files.map((f) => [f.path, f.passages])).toEqual([
      ['empty.md', 0],
      ['a.md', 1],
    ]);
  });
});

describe('loadArtifact', () => {
  test('a built artifact loads back: passages and a working index', () => {
    const built = buildArtifact(snapshotOf(FILES));

    const loaded = loadArtifact(built.bytes, DIGEST);

    expect(loaded.base).toBe('docs');
    expect(loaded.digest).toBe(DIGEST);
    expect(loaded.passages).toEqual(decodeArtifact(built.bytes, DIGEST).passages);
    const [best] = searchPassages(loaded.index, 'how long do old sessions keep working', 3);
    expect(loaded.passages[best!.id]!.title).toBe('Keys › Grace period');
  });

  test('names its object by the digest', () => {
    expect(artifactName(DIGEST)).toBe(`${DIGEST}.json.gz`);
  });

  const good = () => JSON.parse(gunzipSync(buildArtifact(snapshotOf(FILES)).bytes).toString('utf8'));
  const zipped = (value: unknown) => gzipSync(JSON.stringify(value));

  test.each<[string, () => Uint8Array, string]>([
    [
      'another digest',
      () => buildArtifact(snapshotOf(FILES)).bytes,
      `artifact holds digest ${DIGEST}, not ${'b'.repeat(64)}`,
    ],
    ['bytes that are not gzip', () => Buffer.from('not an artifact'), 'incorrect header check'],
    ['a truncated artifact', () => buildArtifact(snapshotOf(FILES)).bytes.subarray(0, 40), 'unexpected end of file'],
    ['an empty file', () => Buffer.alloc(0), 'unexpected end of file'],
    ['gzip of broken JSON', () => gzipSync('{"format":1,'), 'artifact is not JSON'],
    ['gzip of null', () => zipped(null), 'artifact is not a JSON object'],
    ['gzip of a list', () => zipped([]), 'artifact is not a JSON object'],
    ['a newer format', () => zipped({ ...good(), format: ARTIFACT_FORMAT + 1 }), 'artifact format 2 is not supported'],
    ['no passages', () => zipped({ ...good(), passages: undefined }), 'artifact has no passages or index'],
    ['no index', () => zipped({ ...good(), index: undefined }), 'artifact has no passages or index'],
    [
      'passages that are not passages',
      () => zipped({ ...good(), passages: [1, null, { title: 't' }, good().passages[0]] }),
      'artifact passage 0 has no title, path and text',
    ],
    [
      'fewer passages than the index holds',
      () => zipped({ ...good(), passages: good().passages.slice(1) }),
      'artifact holds 3 passages but indexes 4',
    ],
    [
      'an index of another version',
      () => zipped({ ...good(), index: { ...good().index, serializationVersion: 99 } }),
      'MiniSearch: cannot deserialize an index created with an incompatible version',
    ],
  ])('%s is refused with the reason', (_name, bytes, reason) => {
    const digest = reason.startsWith('artifact holds digest') ? 'b'.repeat(64) : DIGEST;
    expect(() => loadArtifact(bytes(), digest)).toThrow(reason);
  });
});
