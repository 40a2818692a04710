import { type ClockedPerch, startClockedPerch } from '../api/clocked-perch';

// A preflight carries no token, so its session id is whatever the path says: an id that can
// never be a session (over-long, not a UUID) is answered like an unknown session, not with a
// 500 from the database's key-size check.
const DOCS = 'https://docs.example.com';
let perch: ClockedPerch;

beforeAll(async () => {
  perch = await startClockedPerch({
    startAt: Date.UTC(2026, 10, 24, 12),
    config: {
      models: { local: { provider: 'faq' } },
      widgets: { 'docs-bot': { name: 'Docs', model: 'local', allowedOrigins: [DOCS] } },
    },
  });
});
afterAll(() => perch.close());

test.each([
  ['an over-long id', 'a'.repeat(3000)],
  ['an over-long id of multi-byte characters', encodeURIComponent('é'.repeat(1200))],
])('a preflight for %s is answered like an unknown session', async (_, sessionId) => {
  const errors = jest.spyOn(perch.logger, 'error');
  for (const route of ['messages', 'feedback']) {
    const response = await fetch(`${perch.url}/v1/sessions/${sessionId}/${route}`, {
      method: 'OPTIONS',
      headers: { Origin: DOCS, 'Access-Control-Request-Method': 'POST' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(DOCS);
  }
  expect(errors).not.toHaveBeenCalled();
  errors.mockRestore();
});
