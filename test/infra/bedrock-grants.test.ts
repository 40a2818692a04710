import type { ModelBinding } from '../../functions/records/table';
import { ROUTES } from '../../functions/routes';
import { type AccountScope, bedrockModelArns, functionPolicy } from '../../infra/aws/policies';
import { wildcardGrants } from './iam';

const scope: AccountScope = {
  partition: 'aws',
  region: 'eu-west-1',
  accountId: '123456789012',
  dnsSuffix: 'amazonaws.com',
};
const HAIKU = 'anthropic.claude-haiku-4-5-20251001-v1:0';
const model = (region: string) => `arn:aws:bedrock:${region}::foundation-model/${HAIKU}`;
const profile = (region: string, id: string) => `arn:aws:bedrock:${region}:123456789012:inference-profile/${id}`;
const EU = [
  'eu-central-1',
  'eu-central-2',
  'eu-north-1',
  'eu-south-1',
  'eu-south-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
];
const US = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2'];
const APAC = ['ap-east-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-south-1', 'ap-south-2'].concat(
  ['ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-7'],
  ['me-central-1'],
);

const bedrock = (modelId: string, region?: string): ModelBinding => ({
  provider: 'bedrock',
  modelId,
  ...(region && { region }),
});

// The stack is in eu-west-1; a binding's own region replaces it (the region the function calls Bedrock in).
describe('Bedrock grants per model ID (stack in eu-west-1)', () => {
  test.each([
    ['a foundation model in the stack region', bedrock(HAIKU), [model('eu-west-1')]],
    [
      'a foundation model in its own region',
      bedrock('meta.llama3-8b-instruct-v1:0', 'us-west-2'),
      ['arn:aws:bedrock:us-west-2::foundation-model/meta.llama3-8b-instruct-v1:0'],
    ],
    [
      'an eu. profile: the profile in the stack region, the model in every EU region',
      bedrock(`eu.${HAIKU}`),
      [...EU.map(model), profile('eu-west-1', `eu.${HAIKU}`)],
    ],
    [
      'a us. profile from its own region',
      bedrock(`us.${HAIKU}`, 'us-east-2'),
      [...US.map(model), profile('us-east-2', `us.${HAIKU}`)],
    ],
    [
      'an apac. profile from Sydney',
      bedrock(`apac.${HAIKU}`, 'ap-southeast-2'),
      [...APAC.map(model), profile('ap-southeast-2', `apac.${HAIKU}`)],
    ],
    [
      'a global. profile: the profile and the model in the source region, and the Region-less model',
      bedrock(`global.${HAIKU}`),
      [`arn:aws:bedrock:::foundation-model/${HAIKU}`, model('eu-west-1'), profile('eu-west-1', `global.${HAIKU}`)],
    ],
  ])('%s', (_label, binding, resources) => {
    const expected = [...resources].sort(); // the policy lists its resources sorted
    expect(bedrockModelArns([binding], scope)).toEqual(expected);
    const policy = functionPolicy(ROUTES.find((r) => r.invokesModels)!, {
      scope,
      tableArn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/t',
      logGroupArn: 'arn:aws:logs:eu-west-1:123456789012:log-group:/perch/dev/messages',
      sessionSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:s-AbCdEf',
      models: [binding],
    });
    expect(policy.Statement.find((s) => s.Sid === 'BedrockModels')!.Resource).toEqual(expected);
    expect(wildcardGrants(policy)).toEqual([]);
  });

  test.each([
    [
      'an eu. profile from a US region',
      bedrock(`eu.${HAIKU}`, 'us-east-1'),
      /the eu\. inference profile can only be called from eu-central-1, .*, not us-east-1/,
    ],
    [
      'a us. profile without a region in an EU stack',
      bedrock(`us.${HAIKU}`),
      /the us\. inference profile can only be called from us-east-1, .*, not eu-west-1/,
    ],
    ['an unknown prefix', bedrock(`xx.${HAIKU}`), /unknown inference profile prefix "xx\."/],
  ])('the deploy refuses %s', (_label, binding, message) => {
    expect(() => bedrockModelArns([binding], scope)).toThrow(message);
  });
});
