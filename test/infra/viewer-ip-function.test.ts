import { runInNewContext } from 'node:vm';
import { VIEWER_IP_HEADER } from '../../functions/http/request';
import { VIEWER_IP_FUNCTION_CODE } from '../../infra/aws/viewer-ip-function';

// The CloudFront Function's own JavaScript, evaluated in a fresh context (no Node globals, as in
// CloudFront's runtime) and called with viewer-request events shaped as CloudFront sends them.
type Header = { value: string; multiValue?: Header[] };
type Request = { method: string; uri: string; querystring: object; headers: Record<string, Header>; cookies: object };

const handler = runInNewContext(`${VIEWER_IP_FUNCTION_CODE}\nhandler;`, {}) as (event: unknown) => Request;

function viewerRequest(ip: string, headers: Record<string, Header> = {}) {
  return {
    version: '1.0',
    context: { eventType: 'viewer-request', distributionId: 'EDFDVBD6EXAMPLE', requestId: 'r-1' },
    viewer: { ip },
    request: {
      method: 'POST',
      uri: '/v1/sessions',
      querystring: {},
      headers: { host: { value: 'd111111abcdef8.cloudfront.net' }, ...headers },
      cookies: {},
    },
  };
}

// JSON: the returned objects come from another realm.
const plain = (request: Request) => JSON.parse(JSON.stringify(request)) as Request;

test.each(['198.51.100.10', '2001:db8:5:6::1', '2001:0db8:0000:0000:0000:ff00:0042:8329'])(
  'sets the header to the viewer IP %s and leaves the rest of the request as it was',
  (ip) => {
    const event = viewerRequest(ip, { origin: { value: 'https://docs.example.com' } });
    const untouched = plain(event.request);

    const request = plain(handler(event));

    expect(request).toEqual({ ...untouched, headers: { ...untouched.headers, [VIEWER_IP_HEADER]: { value: ip } } });
  },
);

test.each([
  ['a spoofed value', { value: '203.0.113.66' }],
  [
    'spoofed repeated values',
    { value: '203.0.113.66', multiValue: [{ value: '203.0.113.66' }, { value: '10.0.0.1' }] },
  ],
  ['an empty value', { value: '' }],
])('overwrites %s the viewer sent under that name', (_case, spoofed) => {
  const request = plain(handler(viewerRequest('198.51.100.10', { [VIEWER_IP_HEADER]: spoofed })));

  expect(request.headers[VIEWER_IP_HEADER]).toEqual({ value: '198.51.100.10' });
});

test('the code fits CloudFront Functions (10 KB at most) and names the header in lower case', () => {
  expect(Buffer.byteLength(VIEWER_IP_FUNCTION_CODE)).toBeLessThan(10_240);
  expect(VIEWER_IP_HEADER).toBe(VIEWER_IP_HEADER.toLowerCase());
});
