import { MAX_ORIGIN_LENGTH } from '../../functions/origins/origin';
import { type ClockedPerch, postSession, startClockedPerch } from '../api/clocked-perch';

// A widget with an empty origin list admits any origin; one longer than a token can carry would
// mint a session whose token is refused at every message. It is refused at start instead.
const T0 = Date.UTC(2026, 10, 24, 9, 0, 0);
let perch: ClockedPerch;
beforeAll(async () => {
  perch = await startClockedPerch({
    config: {
      models: { local: { provider: 'faq' } },
      widgets: { open: { name: 'Open', model: 'local', allowedOrigins: [] } },
    },
    startAt: T0,
  });
});
afterAll(() => perch.close());

const originOf = (length: number) => `https://${'a'.repeat(length - 'https://'.length - '.example'.length)}.example`;

const sessionItems = async () => [...(await perch.runtimeItems()).keys()].filter((key) => key.startsWith('SESSION#'));

test(
  'an Origin longer than a session token can carry is refused widget_origin_denied at start, ' + 'no session made',
  async () => {
    const response = await postSession(perch.url, originOf(MAX_ORIGIN_LENGTH + 1), { key: perch.publicKey('open') });

    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('widget_origin_denied');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(await sessionItems()).toEqual([]);
  },
);

test('an Origin of exactly the longest length starts a session', async () => {
  const response = await postSession(perch.url, originOf(MAX_ORIGIN_LENGTH), { key: perch.publicKey('open') });

  expect(response.status).toBe(201);
});
