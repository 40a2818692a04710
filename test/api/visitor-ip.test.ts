import { EDGE_SECRET_HEADER, fromProxyEvent } from '../../functions/http/request';
import { proxyEventFixture } from '../fixtures/proxy-event';

// Behind Perch's CloudFront, API Gateway's sourceIp is the edge; the visitor's address comes in
// CloudFront-Viewer-Address, which only a request bearing the edge secret may be believed about.
const SECRET = 'a'.repeat(48);
const EDGE_IP = '130.176.0.1';

function eventWith(headers: Record<string, string>) {
  const event = proxyEventFixture();
  event.requestContext.identity.sourceIp = EDGE_IP;
  Object.assign(event.headers, headers);
  return event;
}

test.each([
  [
    'CloudFront with the secret, IPv4',
    { [EDGE_SECRET_HEADER]: SECRET, 'CloudFront-Viewer-Address': '198.51.100.10:46532' },
    SECRET,
    '198.51.100.10',
  ],
  [
    'CloudFront with the secret, IPv6',
    { [EDGE_SECRET_HEADER]: SECRET, 'CloudFront-Viewer-Address': '2001:db8::7:46532' },
    SECRET,
    '2001:db8::7',
  ],
  ['a forged viewer address without the secret', { 'CloudFront-Viewer-Address': '198.51.100.10:1' }, SECRET, EDGE_IP],
  [
    'a forged viewer address with a wrong secret',
    { [EDGE_SECRET_HEADER]: 'b'.repeat(48), 'CloudFront-Viewer-Address': '198.51.100.10:1' },
    SECRET,
    EDGE_IP,
  ],
  [
    'a secret of another length',
    { [EDGE_SECRET_HEADER]: 'a', 'CloudFront-Viewer-Address': '198.51.100.10:1' },
    SECRET,
    EDGE_IP,
  ],
  [
    'no edge secret configured (local target): headers are ignored',
    { [EDGE_SECRET_HEADER]: SECRET, 'CloudFront-Viewer-Address': '198.51.100.10:1' },
    undefined,
    EDGE_IP,
  ],
  ['X-Forwarded-For is never believed', { 'X-Forwarded-For': '198.51.100.10' }, SECRET, EDGE_IP],
  ['the secret but no viewer address', { [EDGE_SECRET_HEADER]: SECRET }, SECRET, EDGE_IP],
])('%s', (_case, headers, edgeSecret, expected) => {
  expect(fromProxyEvent(eventWith(headers), { edgeSecret }).sourceIp).toBe(expected);
});
