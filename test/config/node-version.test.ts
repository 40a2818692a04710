import { warnIfOldNode } from '../../infra/node-version';

test.each([
  ['20.20.2', 1],
  ['21.7.3', 1],
  ['22.23.5', 0],
  ['24.1.0', 0],
])('Node %s gets %i warning line(s)', (version, lines) => {
  const logged: string[] = [];
  warnIfOldNode(version, (line) => logged.push(line));
  expect(logged).toHaveLength(lines);
  if (lines) expect(logged[0]).toMatch(/^perch: Node\.js 2[01][.\d]* is older than 22, which Perch needs/);
});
