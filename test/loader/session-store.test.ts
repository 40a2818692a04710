import { createSessionStore } from '../../loader/src/chat/session-store';

// The session store against a recording `localStorage` (Node has none): consent-first means
// creating it touches nothing; the first read reads, and only a write writes.
let calls: string[];
let items: Map<string, string>;
beforeEach(() => {
  calls = [];
  items = new Map();
  (globalThis as { localStorage?: unknown }).localStorage = {
    getItem(name: string) {
      calls.push(`get ${name}`);
      return items.get(name) ?? null;
    },
    setItem(name: string, value: string) {
      calls.push(`set ${name}`);
      items.set(name, value);
    },
  };
});
afterEach(() => delete (globalThis as { localStorage?: unknown }).localStorage);

test('creating the store reads and writes nothing', () => {
  createSessionStore('pk_test');

  expect(calls).toEqual([]);
});

test('the first read reads storage once; later reads come from memory', () => {
  items.set('perch:pk_test', JSON.stringify({ sessionId: 's1', token: 't1' }));
  const store = createSessionStore('pk_test');

  const first = store.read();
  const second = store.read();

  expect(first).toEqual({ sessionId: 's1', token: 't1' });
  expect(second).toBe(first);
  expect(calls).toEqual(['get perch:pk_test']);
});

test.each([
  ['nothing stored', undefined],
  ['corrupt JSON', '{'],
  ['a token missing', JSON.stringify({ sessionId: 's1' })],
])('%s reads as no stored session', (_, stored) => {
  if (stored !== undefined) items.set('perch:pk_test', stored);

  expect(createSessionStore('pk_test').read()).toBeUndefined();
});

test('a write stores only the session id and token, and later reads need no storage', () => {
  const store = createSessionStore('pk_test');

  store.write({ sessionId: 's2', token: 't2', expiresAt: 'x' } as never);

  expect(JSON.parse(items.get('perch:pk_test')!)).toEqual({ sessionId: 's2', token: 't2' });
  expect(store.read()).toEqual({ sessionId: 's2', token: 't2' });
  expect(calls).toEqual(['set perch:pk_test']);
});

test('blocked storage keeps the session in memory for the page', () => {
  (globalThis as { localStorage?: unknown }).localStorage = {
    getItem: () => {
      throw new Error('blocked');
    },
    setItem: () => {
      throw new Error('blocked');
    },
  };
  const store = createSessionStore('pk_test');

  expect(store.read()).toBeUndefined();
  store.write({ sessionId: 's3', token: 't3' });
  expect(store.read()).toEqual({ sessionId: 's3', token: 't3' });
});
