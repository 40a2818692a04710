import * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';
import { VIEWER_IP_HEADER } from '../../functions/http/request';

/**
 * The viewer-request CloudFront Function of the API behaviours (AWS's True-Client-IP example):
 * the managed AllViewerExceptHostHeader policy forwards viewer headers only, so the visitor's
 * IP reaches the handlers as a header this function sets, replacing any value (or list of
 * values) the viewer sent under that name. Header names in the event are always lower-case.
 */
export const VIEWER_IP_FUNCTION_CODE = `function handler(event) {
  var request = event.request;
  request.headers[${JSON.stringify(VIEWER_IP_HEADER)}] = { value: event.viewer.ip };
  return request;
}
`;

/** The function, published (its LIVE stage is what a distribution runs). */
export function createViewerIpFunction(parent?: pulumi.Resource): aws.cloudfront.Function {
  return new aws.cloudfront.Function(
    'perch-viewer-ip',
    {
      runtime: 'cloudfront-js-2.0',
      comment: `Perch: sets ${VIEWER_IP_HEADER} from the viewer's IP on API requests`,
      code: VIEWER_IP_FUNCTION_CODE,
      publish: true,
    },
    { parent },
  );
}
