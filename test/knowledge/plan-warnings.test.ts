import { formatKnowledgePlan, LARGE_BASE_PASSAGES } from '../../infra/knowledge/plan-knowledge';
import type { KnowledgeSnapshot } from '../../infra/knowledge/snapshot';

const snapshot: KnowledgeSnapshot = { name: 'docs', digest: 'a'.repeat(64), files: [], bytes: 0 };
const unchanged = (passages: number) => ({
  name: 'docs',
  action: 'unchanged' as const,
  snapshot,
  passages,
  summary: `${passages} passages`,
});

test('a base over LARGE_BASE_PASSAGES is warned about in the plan, a smaller one is not', () => {
  expect(formatKnowledgePlan([unchanged(LARGE_BASE_PASSAGES)])).toEqual([`  = knowledge docs: 2000 passages`]);
  const lines = formatKnowledgePlan([unchanged(LARGE_BASE_PASSAGES + 1)]);
  expect(lines).toHaveLength(2);
  expect(lines[1]).toMatch(/^ {2}! warning: knowledge docs has 2001 passages; above 2000 a cold start loads it/);
});

test('a removed base gets no warning', () => {
  expect(formatKnowledgePlan([{ name: 'docs', action: 'delete', summary: 'removed' }])).toEqual([
    '  - knowledge docs: removed',
  ]);
});
