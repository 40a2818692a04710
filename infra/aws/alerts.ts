import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { ResolvedAlerts } from '../config/alerts';
import { type PerchAlarmsOptions, perchAlarms } from './alarms';

export interface PerchAlertsOptions extends Omit<PerchAlarmsOptions, 'stack'> {
  /** Who is told: the stack's resolved `alerts` from widgets.config.ts. */
  alerts: ResolvedAlerts;
  parent?: pulumi.Resource;
}

export interface PerchAlerts {
  topic: aws.sns.Topic;
  subscriptions: aws.sns.TopicSubscription[];
  alarms: aws.cloudwatch.MetricAlarm[];
}

/**
 * One SNS topic per stack that every alarm notifies, going into and out of alarm, with the
 * config's subscribers. Each email address (and the webhook) must confirm the subscription
 * SNS sends it before anything is delivered. The topic is not KMS-encrypted: CloudWatch can
 * publish to an encrypted topic only through a customer-managed key granted to it, and alarms
 * carry no secrets. The default topic policy lets the account's own alarms publish.
 */
export function createPerchAlerts({ alerts, parent, ...sources }: PerchAlertsOptions): PerchAlerts {
  const stack = pulumi.getStack();
  // The display name is the sender's name of the alert emails.
  const topic = new aws.sns.Topic('alerts', { displayName: `Perch ${stack}` }, { parent });
  // Named after the address, so removing one address leaves the others' confirmed subscriptions alone.
  const subscriptions = alerts.email.map(
    (address) =>
      new aws.sns.TopicSubscription(
        `alerts-email-${address.toLowerCase()}`,
        { topic: topic.arn, protocol: 'email', endpoint: address },
        { parent },
      ),
  );
  if (alerts.webhook !== undefined) {
    subscriptions.push(
      new aws.sns.TopicSubscription(
        'alerts-webhook',
        { topic: topic.arn, protocol: 'https', endpoint: alerts.webhook },
        { parent },
      ),
    );
  }
  const alarms = perchAlarms({ stack, ...sources }).map(
    ({ name, args }) =>
      new aws.cloudwatch.MetricAlarm(
        `${name}-alarm`,
        { ...args, alarmActions: [topic.arn], okActions: [topic.arn] },
        { parent },
      ),
  );
  return { topic, subscriptions, alarms };
}
