import { widgetSnippet } from '../../infra/state/outputs';
import { useDeployedProgram } from './deployed-program';
import { MockEngine } from './mock-engine';

// The Pulumi program under the mock engine (see deployed-program.ts):
// a second `pulumi up`, the session-signing secret and the stack outputs.
const program = useDeployedProgram('program-outputs');
const { one, outputsOf, deployPerch } = program;

describe('a second pulumi up', () => {
  test('with the same config and state changes nothing: same keys, same resources', async () => {
    const engine = new MockEngine();
    const first = await engine.run(() => deployPerch());
    const second = await engine.run(() => deployPerch());
    expect(second.outputs).toEqual(first.outputs);
    expect(Object.entries(second.changes()).filter(([, operation]) => operation !== 'same')).toEqual([]);
    expect(second.resources.length).toBe(first.resources.length);
  });
});

describe('secrets and outputs', () => {
  test('the session-signing secret holds 32 random bytes generated once by @pulumi/random', () => {
    const secret = one('aws:secretsmanager/secret:Secret');
    const version = one('aws:secretsmanager/secretVersion:SecretVersion');
    const key = program.deployment.named('session-signing-key');
    expect(key.inputs).toEqual({ length: 32 });
    expect(version.inputs).toEqual({ secretId: secret.id, secretString: key.outputs.base64 });
    expect(Buffer.from(version.inputs.secretString, 'base64')).toHaveLength(32);
  });

  test('the stack outputs one domain for loader and API, and each widget’s key and snippet', () => {
    const { outputs } = program.deployment.outputs;
    const domain = outputsOf('aws:cloudfront/distribution:Distribution').domainName;
    expect(outputs.apiUrl).toBe(`https://${domain}`);
    expect(outputs.loaderUrl).toBe(`https://${domain}/v1/loader.js`);
    expect(Object.keys(outputs.widgets).sort()).toEqual(['docs-bot', 'faq', 'regional', 'support']);
    for (const [id, widget] of Object.entries(outputs.widgets)) {
      expect(widget.snippet).toBe(widgetSnippet(outputs.loaderUrl, widget.publicKey));
      const config = program.deployment.named(`${id}-config`);
      expect(JSON.parse(config.inputs.item).publicKey).toEqual({ S: widget.publicKey });
    }
  });

  test('the dev stack applies the config’s dev overrides', () => {
    const docsBot = JSON.parse(program.deployment.named('docs-bot-config').inputs.item);
    expect(docsBot.allowedOrigins).toEqual({ L: [{ S: 'http://localhost:3000' }] });
  });
});
