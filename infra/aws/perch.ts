import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import { QUOTA_RESET, ROUTES } from '../../functions/routes';
import type { FunctionBundle } from '../build/bundle-functions';
import type { KnowledgeArtifactFile } from '../build/knowledge-artifacts';
import type { ResolvedConfig } from '../config/resolve';
import { buildOutputs, type PerchOutputs } from '../state/outputs';
import { createPerchAlerts, type PerchAlerts } from './alerts';
import { API_STAGE, createPerchApi, type PerchApi } from './api';
import { createPerchDashboard } from './dashboard';
import { createPerchFunctions, type PerchFunction } from './functions';
import { createKnowledgeStore, type KnowledgeStore } from './knowledge-store';
import { retainedFiles, type ServedFile } from './loader-history';
import { createLoaderHosting, type LoaderFile, type LoaderHosting } from './loader-hosting';
import type { AccountScope } from './policies';
import {
  createQuotaResetDeadLetterQueue,
  createQuotaResetSchedule,
  type QuotaResetSchedule,
} from './quota-reset-schedule';
import { createSessionSecret } from './session-secret';
import type { StackSettings } from './stack-settings';
import { createPerchTable } from './table';
import { WidgetRecords } from './widget-records';

export interface PerchOptions {
  config: ResolvedConfig;
  bundles: readonly FunctionBundle[];
  loaderFiles: readonly LoaderFile[];
  /** The built artifact of every base in `config.knowledge` (`writeKnowledgeArtifacts`). */
  knowledgeArtifacts?: readonly KnowledgeArtifactFile[];
  settings: StackSettings;
  /** What the previous deploy served (`previousLoaderHistory`), and the time of this one. */
  loaderHistory?: { previous: readonly ServedFile[]; now: Date };
}

export interface Perch {
  table: aws.dynamodb.Table;
  functions: ReadonlyMap<string, PerchFunction>;
  api: PerchApi;
  schedule: QuotaResetSchedule;
  hosting: LoaderHosting;
  /** The alerts topic, its subscriptions and every alarm. */
  alerts: PerchAlerts;
  /** Only when the config declares a knowledge base. */
  knowledge?: KnowledgeStore;
  widgets: ReadonlyMap<string, WidgetRecords>;
  outputs: pulumi.Output<PerchOutputs>;
}

/** Everything Perch runs on AWS, for one stack of a resolved config. */
export function createPerch({
  config,
  bundles,
  loaderFiles,
  knowledgeArtifacts = [],
  settings,
  loaderHistory = { previous: [], now: new Date() },
}: PerchOptions): Perch {
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
  // CloudFront sends it to the API origin; without it a request is refused, with it X-Perch-Viewer-IP is believed.
  const edgeSecret = new random.RandomBytes('edge-secret', { length: 24 }).hex;
  const knowledge = createStackKnowledge(config, knowledgeArtifacts, settings.production);
  const quotaResetQueue = createQuotaResetDeadLetterQueue();
  const functions = createPerchFunctions({
    definitions: [...ROUTES, QUOTA_RESET],
    bundles,
    table,
    sessionSecret,
    // Only the bindings this stack's widgets use: a declared but unused model gets no grant.
    models: config.widgets.map((widget) => widget.model),
    identitySecrets: config.widgets.flatMap((widget) => widget.identity?.secretSecret ?? []),
    scope,
    logRetentionDays: settings.logRetentionDays,
    edgeSecret,
    knowledge: knowledge && { bucket: knowledge.bucket.bucket, artifactArns: knowledge.artifactArns },
    failureQueues: { [QUOTA_RESET.name]: quotaResetQueue.arn },
  });
  const api = createPerchApi({ routes: ROUTES, functions, scope });
  const schedule = createQuotaResetSchedule({
    quotaReset: functions.get(QUOTA_RESET.name)!,
    deadLetterQueue: quotaResetQueue,
    scope,
  });
  createPerchDashboard({
    widgetIds: config.widgets.map((widget) => widget.id),
    functions,
    api: api.api,
    deadLetterQueue: quotaResetQueue,
    region: scope.region,
  });
  const hosting = createLoaderHosting({
    files: loaderFiles,
    routes: ROUTES,
    apiDomainName: api.domainName,
    apiStage: API_STAGE,
    production: settings.production,
    priceClass: settings.priceClass,
    edgeSecret,
    retained: retainedFiles(loaderHistory.previous, loaderFiles, loaderHistory.now),
  });
  const alerts = createPerchAlerts({
    alerts: config.alerts,
    functions,
    api,
    deadLetterQueue: quotaResetQueue,
    widgets: config.widgets,
    thresholds: settings.alarms,
  });
  const widgets = new Map(
    config.widgets.map((widget) => {
      const artifacts = widget.knowledge.map((ref) => knowledge!.objects.get(ref.digest)!);
      return [widget.id, new WidgetRecords(widget.id, { widget, table, knowledgeArtifacts: artifacts })];
    }),
  );

  const outputs = pulumi
    .all([hosting.distribution.domainName, ...[...widgets.values()].map((w) => w.publicKey)])
    .apply(([domain, ...keys]) =>
      buildOutputs(
        `https://${domain}`,
        [...widgets.keys()].map((id, i) => ({ id, publicKey: keys[i]! })),
      ),
    );
  return { table, functions, api, schedule, hosting, alerts, knowledge, widgets, outputs };
}

/** The knowledge store of a config that declares bases; every base must come with its built artifact. */
function createStackKnowledge(
  config: ResolvedConfig,
  artifacts: readonly KnowledgeArtifactFile[],
  production: boolean,
): KnowledgeStore | undefined {
  const missing = config.knowledge.filter((base) => !artifacts.some((a) => a.digest === base.digest));
  if (missing.length > 0)
    throw new Error(`no built artifact for knowledge ${missing.map((b) => b.name).join(', ')}; build them first`);
  const used = artifacts.filter((a) => config.knowledge.some((base) => base.digest === a.digest));
  return used.length > 0 ? createKnowledgeStore({ artifacts: used, production }) : undefined;
}
