import { dependenciesFromEnvironment } from '../wiring/dependencies';
import { createQuotaResetFunction } from '../wiring/quota-reset';

/** Lambda: the quota reset at 00:00 UTC, built once at cold start from the environment Pulumi sets. */
export const handler = createQuotaResetFunction(dependenciesFromEnvironment());
