import { z } from 'zod';

/**
 * The Regions each geographic cross-Region inference profile (`<geo>.<model id>`) is called from
 * and routes to. A profile's destinations depend on the model and the source Region, so each
 * row is the union AWS lists for that geography: a Region the model is not served in grants nothing.
 * Sources, read 2026-12-02: Bedrock user guide, "Supported Regions and models for inference
 * profiles" and "Geographic cross-Region inference" (IAM: the profile, the model in the source
 * Region and in every destination); AWS CDK aws-bedrock-alpha v2.275 `CrossRegionInferenceProfileRegion`.
 */
export const PROFILE_REGIONS: Readonly<Record<string, readonly string[]>> = {
  us: ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2'],
  'us-gov': ['us-gov-east-1', 'us-gov-west-1'],
  eu: ['eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-west-1', 'eu-west-2', 'eu-west-3'],
  apac: [
    'ap-east-2',
    'ap-northeast-1',
    'ap-northeast-2',
    'ap-northeast-3',
    'ap-south-1',
    'ap-south-2',
    'ap-southeast-1',
    'ap-southeast-2',
    'ap-southeast-3',
    'ap-southeast-4',
    'ap-southeast-5',
    'ap-southeast-7',
    'me-central-1',
  ],
  jp: ['ap-northeast-1', 'ap-northeast-3'],
  au: ['ap-southeast-2', 'ap-southeast-4'],
};

/**
 * `global.` profiles route to any commercial Region, which no list can name; AWS grants them on the
 * Region-less `arn:aws:bedrock:::foundation-model/<model>` instead ("Global cross-Region inference").
 */
export const GLOBAL_PREFIX = 'global';

export type BedrockTarget =
  | { kind: 'model'; modelId: string }
  | { kind: 'profile'; prefix: string; profileId: string; modelId: string };

const PREFIXES = [...Object.keys(PROFILE_REGIONS), GLOBAL_PREFIX].map((p) => `${p}.`).join(', ');

/**
 * A model ID is `<provider>.<model>` (`anthropic.claude-…`); a third dot-separated part in front
 * is a profile prefix (`eu.anthropic.claude-…`). Returns the target or why the ID is refused.
 */
export function parseBedrockModelId(id: string): BedrockTarget | { problem: string } {
  if (id.startsWith('arn:')) {
    return { problem: 'must be a model or inference profile ID, not an ARN (the grants are derived from the ID)' };
  }
  const parts = id.split('.');
  if (parts.length < 3) return { kind: 'model', modelId: id };
  const prefix = parts[0]!;
  if (prefix !== GLOBAL_PREFIX && !Object.hasOwn(PROFILE_REGIONS, prefix)) {
    return { problem: `has an unknown inference profile prefix "${prefix}."; known prefixes: ${PREFIXES}` };
  }
  return { kind: 'profile', prefix, profileId: id, modelId: parts.slice(1).join('.') };
}

/** Why a profile cannot be called from `region` (a geographic profile only from its own Regions). */
export function profileRegionProblem(target: BedrockTarget, region: string): string | undefined {
  if (target.kind === 'model' || target.prefix === GLOBAL_PREFIX) return undefined;
  const regions = PROFILE_REGIONS[target.prefix]!;
  if (regions.includes(region)) return undefined;
  const local = Object.keys(PROFILE_REGIONS).find((p) => PROFILE_REGIONS[p]!.includes(region));
  const instead = local ? ` or use the ${local}. profile if the model has one` : '';
  return (
    `the ${target.prefix}. inference profile can only be called from ${regions.join(', ')}, not ${region}: ` +
    `set region to one of them${instead}`
  );
}

/**
 * The Regions whose foundation-model ARN a call from `region` needs (`''`: the Region-less one of
 * `global.`); a geographic profile's list holds its source Region, or `profileRegionProblem` refused it.
 */
export function modelRegions(target: BedrockTarget, region: string): string[] {
  if (target.kind === 'model') return [region];
  if (target.prefix === GLOBAL_PREFIX) return ['', region];
  return [...PROFILE_REGIONS[target.prefix]!];
}

export const awsRegion = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as us-east-1');

export const bedrockModelId = z
  .string()
  .min(1)
  .superRefine((id, ctx) => {
    const target = parseBedrockModelId(id);
    if ('problem' in target) ctx.addIssue({ code: 'custom', message: target.problem });
  });

/** The binding's own region must be a source Region of its profile (without one, the stack's is checked at deploy). */
export function checkProfileRegion(binding: { modelId: string; region?: string }, ctx: z.core.$RefinementCtx) {
  const target = parseBedrockModelId(binding.modelId);
  const problem = binding.region && !('problem' in target) && profileRegionProblem(target, binding.region);
  if (problem) ctx.addIssue({ code: 'custom', path: ['region'], message: problem });
}
