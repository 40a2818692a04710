import { validateConfig } from '../../infra/config/load';
import { type InvalidConfig, refusesEach, validConfig } from './config-problems';

const HAIKU = 'anthropic.claude-haiku-4-5-20251001-v1:0';
const EU_REGIONS = 'eu-central-1, eu-central-2, eu-north-1, eu-south-1, eu-south-2, eu-west-1, eu-west-2, eu-west-3';

const bedrock = (modelId: string, region?: string) => ({ provider: 'bedrock', modelId, ...(region && { region }) });

// What `check` prints for a Bedrock binding it refuses (the stack's region is checked at deploy, policies.ts).
refusesEach(
  (
    [
      [
        'an eu. profile called from a US region',
        `eu.${HAIKU}`,
        'us-east-1',
        `models.claude.region: the eu. inference profile can only be called from ${EU_REGIONS}, not us-east-1: ` +
          'set region to one of them or use the us. profile if the model has one',
      ],
      [
        'a us. profile called from an EU region',
        `us.${HAIKU}`,
        'eu-west-1',
        'models.claude.region: the us. inference profile can only be called from us-east-1, us-east-2, us-west-1, ' +
          'us-west-2, not eu-west-1: set region to one of them or use the eu. profile if the model has one',
      ],
      [
        'a profile called from a region no geography lists',
        `apac.${HAIKU}`,
        'sa-east-1',
        'models.claude.region: the apac. inference profile can only be called from ap-east-2, ap-northeast-1, ' +
          'ap-northeast-2, ap-northeast-3, ap-south-1, ap-south-2, ap-southeast-1, ap-southeast-2, ap-southeast-3, ' +
          'ap-southeast-4, ap-southeast-5, ap-southeast-7, me-central-1, not sa-east-1: set region to one of them',
      ],
      [
        'an unknown profile prefix',
        `xx.${HAIKU}`,
        undefined,
        'models.claude.modelId: has an unknown inference profile prefix "xx."; ' +
          'known prefixes: us., us-gov., eu., apac., jp., au., global.',
      ],
      [
        'an ARN instead of an ID',
        `arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.${HAIKU}`,
        undefined,
        'models.claude.modelId: must be a model or inference profile ID, not an ARN ' +
          '(the grants are derived from the ID)',
      ],
    ] as const
  ).map(
    ([label, modelId, region, problem]): InvalidConfig => [
      label,
      (c) => (c.models.claude = bedrock(modelId, region)),
      [problem],
    ],
  ),
);

describe('validateConfig accepts', () => {
  test.each([
    ['a foundation model ID', HAIKU, undefined],
    ['a foundation model ID with its own region', 'meta.llama3-8b-instruct-v1:0', 'us-west-2'],
    ['an eu. profile without a region (the stack region is checked at deploy)', `eu.${HAIKU}`, undefined],
    ['an eu. profile from an EU region', `eu.${HAIKU}`, 'eu-west-1'],
    ['a us. profile from us-west-1', `us.${HAIKU}`, 'us-west-1'],
    ['an apac. profile from Tokyo', `apac.${HAIKU}`, 'ap-northeast-1'],
    ['a jp. profile from Osaka', `jp.${HAIKU}`, 'ap-northeast-3'],
    ['a global. profile from any region', `global.${HAIKU}`, 'sa-east-1'],
  ])('%s', (_label, modelId, region) => {
    const config = validConfig();
    config.models.claude = bedrock(modelId, region);
    expect(() => validateConfig(config)).not.toThrow();
  });
});
