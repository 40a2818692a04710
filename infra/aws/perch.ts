import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import { QUOTA_RESET, ROUTES } from '../../functions/routes';
import type { FunctionBundle } from '../build/bundle-functions';
import type { ResolvedConfig } from '../config/resolve';
import { buildOutputs, type PerchOutputs } from '../state/outputs';
import { API_STAGE, createPerchApi, type PerchApi } from './api';
import { createPerchFunctions, type PerchFunction } from './functions';
import { createLoaderHosting, type LoaderFile, type LoaderHosting } from './loader-hosting';
import type { AccountScope } from './policies';
import { createQuotaResetSchedule, type QuotaResetSchedule } from './quota-reset-schedule';
import { createSessionSecret } from './session-secret';
import type { StackSettings } from './stack-settings';
import { createPerchTable } from './table';
import { WidgetRecords } from './widget-records';

export interface PerchOptions {
  config: ResolvedConfig;
  bundles: readonly FunctionBundle[];
  loaderFiles: readonly LoaderFile[];
  settings: StackSettings;
}

export interface Perch {
  table: aws.dynamodb.Table;
  functions: ReadonlyMap<string, PerchFunction>;
  api: PerchApi;
  schedule: QuotaResetSchedule;
  hosting: LoaderHosting;
  widgets: ReadonlyMap<string, WidgetRecords>;
  outputs: pulumi.Output<PerchOutputs>;
}

/** Everything Perch runs on AWS, for one stack of a resolved config. */
export function createPerch({ config, bundles, loaderFiles, settings }: PerchOptions): Perch {
  const scope: pulumi.Output<AccountScope> = pulumi
    .all([aws.getPartitionOutput(), aws.getRegionOutput(), aws.getCallerIdentityOutput()])
    .apply(([partition, region, identity]) => ({
      partition: partition.partition,
      dnsSuffix: partition.dnsSuffix,
      region: region.region,
      accountId: identity.accountId,
    }));

  const table = createPerchTable({ production: settings.production });
  const sessionSecret = createSessionSecret({ production: settings.production });
  // CloudFront sends it to the API origin; the handlers trust CloudFront-Viewer-Address only with it.
  const edgeSecret = new random.RandomBytes('edge-secret', { length: 24 }).hex;
  const functions = createPerchFunctions({
    definitions: [...ROUTES, QUOTA_RESET],
    bundles,
    table,
    sessionSecret,
    // Only the bindings this stack's widgets use: a declared but unused model gets no grant.
    models: config.widgets.map((widget) => widget.model),
    scope,
    logRetentionDays: settings.logRetentionDays,
    edgeSecret,
  });
  const api = createPerchApi({ routes: ROUTES, functions, scope });
  const schedule = createQuotaResetSchedule({ fn: functions.get(QUOTA_RESET.name)!.fn, scope });
  const hosting = createLoaderHosting({
    files: loaderFiles,
    routes: ROUTES,
    apiDomainName: api.domainName,
    apiStage: API_STAGE,
    production: settings.production,
    priceClass: settings.priceClass,
    edgeSecret,
  });
  const widgets = new Map(config.widgets.map((widget) => [widget.id, new WidgetRecords(widget.id, { widget, table })]));

  const outputs = pulumi
    .all([hosting.distribution.domainName, ...[...widgets.values()].map((w) => w.publicKey)])
    .apply(([domain, ...keys]) =>
      buildOutputs(
        `https://${domain}`,
        [...widgets.keys()].map((id, i) => ({ id, publicKey: keys[i]! })),
      ),
    );
  return { table, functions, api, schedule, hosting, widgets, outputs };
}
