import * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';

export interface SessionSecretOptions {
  production: boolean;
  parent?: pulumi.Resource;
}

/**
 * The session-signing secret: 32 random bytes made once by `random.RandomBytes` (kept, encrypted,
 * in Pulumi state, so every `pulumi up` keeps the same value and sessions survive deploys),
 * stored base64 in Secrets Manager, where the session functions read it by ARN.
 */
export function createSessionSecret({ production, parent }: SessionSecretOptions): aws.secretsmanager.Secret {
  const secret = new aws.secretsmanager.Secret(
    'session-signing',
    {
      description: 'Perch: HMAC key that signs visitor session tokens',
      // A dev stack can be torn down and rebuilt at once; production keeps a recovery window.
      recoveryWindowInDays: production ? 30 : 7,
    },
    { parent },
  );
  const value = new random.RandomBytes('session-signing-key', { length: 32 }, { parent });
  new aws.secretsmanager.SecretVersion(
    'session-signing-value',
    { secretId: secret.id, secretString: value.base64 },
    { parent },
  );
  return secret;
}
