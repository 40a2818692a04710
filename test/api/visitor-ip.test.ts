import { PerchError } from '../../functions/errors/perch-error';
import { EDGE_SECRET_HEADER, fromProxyEvent, VIEWER_IP_HEADER } from '../../functions/http/request';
import { proxyEventFixture } from '../fixtures/proxy-event';

// Behind Perch's CloudFront, API Gateway's sourceIp is the edge; the visitor's address comes in
// the header the viewer-request function sets, believed only from a request bearing the edge secret.
const SECRET = 'a'.repeat(48);
const EDGE_IP = '130.176.0.1';

function eventWith(headers: Record<string, string>) {
  const event = proxyEventFixture();
  event.requestContext.identity.sourceIp = EDGE_IP;
  Object.assign(event.headers, headers);
  return event;
}

test.each([
  ['through CloudFront, IPv4', { [EDGE_SECRET_HEADER]: SECRET, [VIEWER_IP_HEADER]: '198.51.100.10' }, '198.51.100.10'],
  ['through CloudFront, IPv6', { [EDGE_SECRET_HEADER]: SECRET, [VIEWER_IP_HEADER]: '2001:db8::7' }, '2001:db8::7'],
  [
    'header names in any case',
    { 'X-Perch-Edge': SECRET, 'X-Perch-Viewer-IP': '2001:db8:0:0:1:2:3:4' },
    '2001:db8:0:0:1:2:3:4',
  ],
  [
    'a forged CloudFront-Viewer-Address and X-Forwarded-For beside the function header',
    {
      [EDGE_SECRET_HEADER]: SECRET,
      [VIEWER_IP_HEADER]: '198.51.100.10',
      'CloudFront-Viewer-Address': '203.0.113.66:443',
      'X-Forwarded-For': '203.0.113.67',
    },
    '198.51.100.10',
  ],
  [
    'CloudFront-Viewer-Address alone is not believed',
    { [EDGE_SECRET_HEADER]: SECRET, 'CloudFront-Viewer-Address': '203.0.113.66:443' },
    EDGE_IP,
  ],
  [
    'X-Forwarded-For alone is not believed',
    { [EDGE_SECRET_HEADER]: SECRET, 'X-Forwarded-For': '203.0.113.67' },
    EDGE_IP,
  ],
  [
    'a header that is not an IP',
    { [EDGE_SECRET_HEADER]: SECRET, [VIEWER_IP_HEADER]: '198.51.100.10, 1.2.3.4' },
    EDGE_IP,
  ],
  ['the secret but no viewer IP (function not associated)', { [EDGE_SECRET_HEADER]: SECRET }, EDGE_IP],
])('with the edge secret, %s', (_case, headers, expected) => {
  expect(fromProxyEvent(eventWith(headers), { edgeSecret: SECRET }).sourceIp).toBe(expected);
});

test.each([
  ['no secret', { [VIEWER_IP_HEADER]: '198.51.100.10' }],
  ['a wrong secret', { [EDGE_SECRET_HEADER]: 'b'.repeat(48), [VIEWER_IP_HEADER]: '198.51.100.10' }],
  ['a secret of another length', { [EDGE_SECRET_HEADER]: 'a', [VIEWER_IP_HEADER]: '198.51.100.10' }],
  ['an empty secret', { [EDGE_SECRET_HEADER]: '' }],
  ['the secret with a prefix', { [EDGE_SECRET_HEADER]: ` ${SECRET}` }],
])('with an edge secret configured, a request with %s is refused 403', (_case, headers) => {
  let refusal: unknown;
  try {
    fromProxyEvent(eventWith(headers), { edgeSecret: SECRET });
  } catch (error) {
    refusal = error;
  }
  expect(refusal).toBeInstanceOf(PerchError);
  expect(refusal).toMatchObject({ code: 'widget_origin_denied', status: 403 });
});

test('without an edge secret (the local target) every request passes and sourceIp is the IP', () => {
  const headers = { [EDGE_SECRET_HEADER]: 'anything', [VIEWER_IP_HEADER]: '198.51.100.10' };
  expect(fromProxyEvent(eventWith(headers)).sourceIp).toBe(EDGE_IP);
  expect(fromProxyEvent(eventWith({})).sourceIp).toBe(EDGE_IP);
});
