import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const priceSchema = z
  .object({
    usd: z.number().nonnegative(),
    /** How many units `usd` buys: 1,000,000 requests, 1 GB. */
    per: z.number().positive(),
    unit: z.string().min(1),
    date: z.iso.date(),
    source: z.url(),
    note: z.string().optional(),
  })
  .strict();

const PRICE_KEYS = [
  'lambdaRequest',
  'lambdaArmGbSecond',
  'dynamodbWriteUnit',
  'dynamodbReadUnit',
  'dynamodbStorage',
  'apiGatewayRestRequest',
  'cloudfrontHttpsRequest',
  'cloudfrontDataOut',
  'cloudfrontFunction',
  's3Get',
  'secretsManagerSecret',
  'secretsManagerApiCall',
  'cloudwatchLogIngest',
  'cloudwatchLogStorage',
  'cloudwatchMetric',
  'cloudwatchAlarm',
  'cloudwatchDashboard',
  'snsPublish',
  'snsEmail',
  'snsHttps',
] as const;

export type PriceKey = (typeof PRICE_KEYS)[number];

export const priceTableSchema = z
  .object({
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/),
    currency: z.literal('USD'),
    date: z.iso.date(),
    notes: z.string(),
    prices: z.object(Object.fromEntries(PRICE_KEYS.map((key) => [key, priceSchema]))).strict(),
  })
  .strict();

export type Price = z.infer<typeof priceSchema>;
export interface PriceTable extends Omit<z.infer<typeof priceTableSchema>, 'prices'> {
  prices: Record<PriceKey, Price>;
}

/** The price table kept in the repository, beside this file; one per region. */
export const PRICE_FILE = join(__dirname, 'prices.eu-west-1.json');

/** Reads and validates a price table: a price without its date or source is an error, not a guess. */
export function loadPriceTable(file = PRICE_FILE): PriceTable {
  return priceTableSchema.parse(JSON.parse(readFileSync(file, 'utf8'))) as PriceTable;
}
