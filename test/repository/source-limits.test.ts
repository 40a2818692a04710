import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// The project's rule for source files: no file over 300 lines, no line over 120 characters.
const ROOT = join(__dirname, '../..');
const MAX_LINES = 300;
const MAX_LINE_LENGTH = 120;

/** Every .ts, .js and .css file git tracks (node_modules aside), as lines. */
function trackedSources(): { path: string; lines: string[] }[] {
  const listed = execFileSync('git', ['ls-files', '-z', '--', '*.ts', '*.js', '*.css'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return listed
    .split('\0')
    .filter((path) => path !== '' && !path.split('/').includes('node_modules'))
    .filter((path) => existsSync(join(ROOT, path))) // deleted in the work tree, not yet committed
    .map((path) => {
      const text = readFileSync(join(ROOT, path), 'utf8');
      const lines = text.split(/\r?\n/);
      if (text.endsWith('\n')) lines.pop();
      return { path, lines };
    });
}

test('git tracks the source files the limits apply to', () => {
  const paths = trackedSources().map((f) => f.path);
  expect(paths).toEqual(expect.arrayContaining(['widgets.config.ts', 'jest.config.js', 'loader/src/chat/chat.css']));
});

test(`no tracked .ts, .js or .css file has more than ${MAX_LINES} lines`, () => {
  const tooLong = trackedSources()
    .filter((f) => f.lines.length > MAX_LINES)
    .map((f) => `${f.path}: ${f.lines.length} lines`);
  expect(tooLong).toEqual([]);
});

test(`no tracked .ts, .js or .css file has a line over ${MAX_LINE_LENGTH} characters`, () => {
  const tooWide = trackedSources().flatMap((f) =>
    f.lines.flatMap((line, i) => {
      const length = [...line].length; // characters, not UTF-16 units
      return length > MAX_LINE_LENGTH ? [`${f.path}:${i + 1}: ${length} characters`] : [];
    }),
  );
  expect(tooWide).toEqual([]);
});
