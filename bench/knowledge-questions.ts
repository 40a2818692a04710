/**
 * Questions a developer might ask a docs bot for undici (the docs that ship in
 * `node_modules/undici/docs/docs`, which we did not write), each with the file that answers it
 * and, where one section does, that section's heading as the splitter titles it (Markdown
 * stripped). Phrased as a user asks, not as the headings read. `accept` lists files that say
 * the same thing word for word (RetryAgent and RetryHandler share their option list).
 */
export interface KnowledgeQuestion {
  question: string;
  /** Relative to `docs/docs`. */
  file: string;
  /** The last heading of the answering section: the passage title ends with it. */
  heading?: string;
  accept?: string[];
}

export const UNDICI_QUESTIONS: KnowledgeQuestion[] = [
  { question: 'How do I turn on debug logging to see what undici is doing?', file: 'api/Debug.md' },
  {
    question: 'Which environment variable prints debug output for fetch calls?',
    file: 'api/Debug.md',
    heading: 'fetch',
  },
  { question: 'What error do I get when the server takes too long to send the headers?', file: 'api/Errors.md' },
  {
    question: 'How can I see the local and remote port of a socket that failed?',
    file: 'api/Errors.md',
    heading: 'SocketError',
  },
  {
    question: 'How do I parse a content type like text/html; charset=utf-8?',
    file: 'api/ContentType.md',
    heading: 'parseMIMEType(input)',
  },
  {
    question: 'How do I read the cookies the browser sent in a request?',
    file: 'api/Cookies.md',
    heading: 'getCookies(headers)',
  },
  {
    question: 'How do I tell the browser to remove a cookie?',
    file: 'api/Cookies.md',
    heading: 'deleteCookie(headers, name[, attributes])',
  },
  { question: 'How do I receive server-sent events from my backend?', file: 'api/EventSource.md' },
  {
    question: 'Can I send custom headers when opening an EventSource?',
    file: 'api/EventSource.md',
    heading: 'Using a custom Dispatcher',
  },
  { question: 'How do I open a websocket connection through a proxy?', file: 'api/WebSocket.md' },
  {
    question: 'How many sockets in my pool are open but idle right now?',
    file: 'api/PoolStats.md',
    heading: 'PoolStats.free',
  },
  {
    question: 'How do I cap the number of connections a pool opens to one server?',
    file: 'api/Pool.md',
    heading: 'Parameter: PoolOptions',
  },
  { question: 'How can I spread my requests over several upstream servers?', file: 'api/BalancedPool.md' },
  {
    question: 'How do I add another backend to the balanced pool while it is running?',
    file: 'api/BalancedPool.md',
    heading: 'BalancedPool.addUpstream(upstream)',
  },
  { question: 'Which dispatcher should I use to call many different origins?', file: 'api/Agent.md' },
  {
    question: 'How do I change the body timeout and the headers timeout of a client?',
    file: 'api/Client.md',
    heading: 'Parameter: ClientOptions',
  },
  {
    question: 'How do I connect to a server over a unix domain socket?',
    file: 'api/Client.md',
    heading: 'Parameter: ConnectOptions',
    accept: ['api/Connector.md'],
  },
  { question: 'Does the client support HTTP/2 and how do I enable it?', file: 'api/Client.md' },
  {
    question: "How do I check the server certificate's fingerprint before sending anything?",
    file: 'api/Connector.md',
    heading: 'Example: validate the CA fingerprint',
  },
  {
    question: 'How do I authenticate with a client certificate (mutual TLS)?',
    file: 'best-practices/client-certificate.md',
  },
  {
    question: 'Can undici pick up HTTP_PROXY and NO_PROXY from the environment?',
    file: 'api/EnvHttpProxyAgent.md',
  },
  {
    question: 'How do I pass credentials to the proxy server with ProxyAgent?',
    file: 'api/ProxyAgent.md',
    heading: 'Example - Basic Proxy Request with authentication',
  },
  { question: 'How do I use a proxy with a plain Client instead of an agent?', file: 'best-practices/proxy.md' },
  {
    question: 'How do I fake HTTP responses in my unit tests?',
    file: 'best-practices/mocking-request.md',
    accept: ['api/MockAgent.md'],
  },
  {
    question: 'How do I stop real network calls when no mock matches a request?',
    file: 'api/MockAgent.md',
    heading: 'MockAgent.disableNetConnect()',
    accept: ['best-practices/mocking-request.md'],
  },
  {
    question: 'How can I make sure every mocked request was actually called?',
    file: 'api/MockAgent.md',
    heading: 'MockAgent.assertNoPendingInterceptors([options])',
  },
  {
    question: 'How do I make a mocked reply answer every request, not just the first one?',
    file: 'api/MockPool.md',
    heading: 'Return: MockScope',
  },
  {
    question: 'How do I make a mock fail with an error instead of replying?',
    file: 'api/MockPool.md',
    heading: 'Example - Mocked request with reply with a defined error',
  },
  { question: 'What is thrown when a request does not match any mock?', file: 'api/MockErrors.md' },
  {
    question: 'My test runner waits a few seconds after the tests finish; how do I close sockets sooner?',
    file: 'best-practices/writing-tests.md',
  },
  {
    question: 'How do I trace every outgoing request for monitoring?',
    file: 'api/DiagnosticsChannel.md',
    heading: 'undici:request:create',
  },
  {
    question: 'How can I add a bearer token to every request with an interceptor?',
    file: 'api/DispatchInterceptor.md',
    heading: 'Basic Example',
  },
  { question: 'Can undici cache DNS lookups?', file: 'api/Dispatcher.md', heading: 'dns' },
  {
    question: 'How do I cancel a request that is still in flight?',
    file: 'api/Dispatcher.md',
    heading: 'Example 2 - Aborting a request',
  },
  { question: 'How should I parse a multipart form-data response body?', file: 'api/Fetch.md', heading: 'Body Mixins' },
  {
    question: 'Is there a Cache API to store responses, like in the browser?',
    file: 'api/CacheStorage.md',
    heading: 'Opening a Cache',
  },
  {
    question: 'What happens to queued requests when I close a client?',
    file: 'api/api-lifecycle.md',
    heading: 'closing',
    accept: ['api/Dispatcher.md'],
  },
  {
    question: 'How do I turn a raw array of header buffers into an object?',
    file: 'api/Util.md',
    heading: 'parseHeaders(headers, [obj])',
  },
  {
    question: 'How many times does the retry agent retry by default, and on which status codes?',
    file: 'api/RetryAgent.md',
    accept: ['api/RetryHandler.md'],
  },
  {
    question: 'After following redirects, how do I get the list of URLs that were visited?',
    file: 'api/RedirectHandler.md',
    heading: 'Properties',
  },
];
