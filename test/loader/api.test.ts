import { callApi, failureText, Refusal } from '../../loader/src/api';

// The loader's and panel's one way to the API: a refusal carries the server's text, already in the widget's language.
let answer: () => Promise<Response>;
beforeEach(() => jest.spyOn(globalThis, 'fetch').mockImplementation(() => answer()));
afterEach(() => jest.restoreAllMocks());

const refusedWith = async (response: Response | Error): Promise<Refusal> => {
  answer = () => (response instanceof Error ? Promise.reject(response) : Promise.resolve(response));
  return callApi('https://api.example.test/v1/widgets/pk_x').then(
    () => {
      throw new Error('expected a refusal');
    },
    (error: Refusal) => error,
  );
};
const json = (body: unknown, status: number) => new Response(JSON.stringify(body), { status });

test.each([
  [
    'a Perch refusal keeps its code, status and text',
    json({ error: { code: 'bot_not_ready', message: 'Pas prêt.' } }, 503),
    ['bot_not_ready', 503, 'Pas prêt.'],
  ],
  ['a body that is no JSON has no text', new Response('<h1>Bad gateway</h1>', { status: 502 }), ['undefined', 502, '']],
  [
    'a message that is no string has no text',
    json({ error: { code: 'x', message: { toString: 1 } } }, 500),
    ['x', 500, ''],
  ],
  [
    'a fetch that fails (no answer, or no CORS grant) is network',
    new TypeError('Failed to fetch'),
    ['network', undefined, ''],
  ],
])('%s', async (_name, response, expected) => {
  const refusal = await refusedWith(response);
  expect([refusal.code, refusal.status, refusal.message]).toEqual(expected);
});

test("failureText is the server's text, else the caller's own", async () => {
  expect(failureText(new Refusal('session_busy', 409, 'Bitte warten.'), 'fallback')).toBe('Bitte warten.');
  expect(failureText(new Refusal('network'), 'fallback')).toBe('fallback');
  expect(failureText(new SyntaxError('Unexpected token'), 'fallback')).toBe('fallback');
});
