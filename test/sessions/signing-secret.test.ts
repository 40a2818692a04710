import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import {
  createSessionKeyLoader,
  deriveSessionKeys,
  fetchFromSecretsManager,
} from '../../functions/sessions/signing-secret';

const SECRET = 's'.repeat(32);
const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:perch/session-AbCdEf';
const secretsMock = mockClient(SecretsManagerClient);
beforeEach(() => secretsMock.reset());

test('the local target secret comes from PERCH_SESSION_SECRET, with no Secrets Manager call', async () => {
  const fetchSecret = jest.fn();
  const load = createSessionKeyLoader({ env: { PERCH_SESSION_SECRET: SECRET }, fetchSecret });
  expect(await load()).toEqual(deriveSessionKeys(SECRET));
  expect(fetchSecret).not.toHaveBeenCalled();
});

test('on AWS the secret is read from Secrets Manager once per cold start, however many requests ask', async () => {
  secretsMock.on(GetSecretValueCommand).resolves({ SecretString: SECRET });
  const load = createSessionKeyLoader({ env: { PERCH_SESSION_SECRET_ARN: ARN }, fetchSecret: fetchFromSecretsManager });

  const keys = await Promise.all([load(), load(), load()]);
  await load();

  expect(keys[0]).toEqual(deriveSessionKeys(SECRET));
  expect(secretsMock.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input)).toEqual([
    { SecretId: ARN },
  ]);
});

test('a failed secret read fails that request and is retried by the next one', async () => {
  secretsMock.on(GetSecretValueCommand).rejectsOnce(new Error('throttled')).resolves({ SecretString: SECRET });
  const load = createSessionKeyLoader({ env: { PERCH_SESSION_SECRET_ARN: ARN }, fetchSecret: fetchFromSecretsManager });

  await expect(load()).rejects.toThrow('throttled');
  await expect(load()).resolves.toEqual(deriveSessionKeys(SECRET));
  expect(secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(2);
});

test.each([
  ['missing', {}],
  ['shorter than 32 characters', { PERCH_SESSION_SECRET: 'short' }],
])('a secret that is %s is refused rather than used', async (_name, env) => {
  await expect(createSessionKeyLoader({ env, fetchSecret: jest.fn() })()).rejects.toThrow(
    /session secret missing or shorter than 32/,
  );
});

test('a secret without a string value is an error, not an empty key', async () => {
  secretsMock.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1, 2]) });
  await expect(fetchFromSecretsManager(ARN)).rejects.toThrow(`secret ${ARN} has no string value`);
});

test('the token key and the visitor salt are different keys derived from the one secret', () => {
  const keys = deriveSessionKeys(SECRET);
  expect(keys.tokenKey.equals(keys.visitorSalt)).toBe(false);
  expect(keys.tokenKey.equals(deriveSessionKeys(`${SECRET}x`).tokenKey)).toBe(false);
  expect(keys.tokenKey).toHaveLength(32);
});
