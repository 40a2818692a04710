import { ROUTES } from '../../functions/routes';
import { API_ORIGIN_ID, apiPathPatterns, LOADER_ORIGIN_ID } from '../../infra/aws/loader-hosting';
import { VIEWER_IP_FUNCTION_CODE } from '../../infra/aws/viewer-ip-function';
import { useDeployedProgram } from './deployed-program';

// The Pulumi program under the mock engine: the viewer-IP CloudFront Function, and where it runs.
const program = useDeployedProgram('program-viewer-ip');
const { one } = program;

test('the viewer-IP function is a published cloudfront-js-2.0 function with the tested code', () => {
  const fn = one('aws:cloudfront/function:Function');

  expect(fn.inputs).toMatchObject({ runtime: 'cloudfront-js-2.0', publish: true, code: VIEWER_IP_FUNCTION_CODE });
  expect(fn.inputs.comment.length).toBeLessThanOrEqual(128);
});

test('every API behaviour runs it on viewer requests, and no loader behaviour does', () => {
  const fn = one('aws:cloudfront/function:Function');
  const distribution = one('aws:cloudfront/distribution:Distribution');
  const behaviours: any[] = [distribution.inputs.defaultCacheBehavior, ...distribution.inputs.orderedCacheBehaviors];
  const api = behaviours.filter((b) => b.targetOriginId === API_ORIGIN_ID);
  const loader = behaviours.filter((b) => b.targetOriginId === LOADER_ORIGIN_ID);

  expect(api.map((b) => b.pathPattern).sort()).toEqual(apiPathPatterns(ROUTES));
  for (const behaviour of api) {
    expect(behaviour.functionAssociations).toEqual([{ eventType: 'viewer-request', functionArn: fn.outputs.arn }]);
  }
  expect(fn.outputs.arn).toMatch(/^arn:aws:cloudfront::\d{12}:function\//);
  expect(loader.length).toBeGreaterThan(0);
  expect(loader.every((b) => b.functionAssociations === undefined)).toBe(true);
  expect(api.length + loader.length).toBe(behaviours.length);
});
