import type { CostEstimate } from './estimate';
import type { PriceTable } from './prices';

const count = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: n >= 100 ? 0 : n >= 1 ? 2 : 6 });
/** Dollars to the cent, or a tenth of a cent where a line is smaller. */
export const dollars = (usd: number) =>
  `$${usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: usd > 0 && usd < 0.01 ? 4 : 2 })}`;

const WIDTH = 96;

/** Breaks a line between words to fit WIDTH, continuing with `indent`. */
function wrap(text: string, indent: string): string[] {
  const lines = [''];
  for (const word of text.split(/(?<=\S) /)) {
    const last = lines.length - 1;
    if (lines[last]!.length > indent.length && lines[last]!.length + 1 + word.length > WIDTH) lines.push(indent + word);
    else lines[last] = lines[last] ? `${lines[last]} ${word}` : word;
  }
  return lines;
}
const row = (left: string, right: string) => `${left.padEnd(WIDTH - right.length - 1)} ${right}`;

/** The estimate as the terminal shows it: by service, the priced lines under each, then the model and assumptions. */
export function formatCostEstimate(estimate: CostEstimate, prices: PriceTable, priceFile: string): string {
  const { inputs } = estimate;
  const out = [
    `Estimated monthly AWS bill, ${estimate.region} (prices of ${estimate.pricesDate}, ${priceFile};`,
    `measured figures of ${estimate.measuredOn}, infra/cost/measured.ts)`,
    `for ${count(inputs.messages)} messages, ${count(inputs.sessions)} sessions, ` +
      `${count(inputs.pageViews)} page views;`,
    `${inputs.answerTokens} answer and ${inputs.promptTokens} prompt tokens per message`,
    '',
  ];
  for (const { service, usd } of estimate.services) {
    out.push(row(service, dollars(usd)));
    for (const line of estimate.lines.filter((l) => l.service === service)) {
      const { usd, per } = prices.prices[line.price];
      const rate = `× $${usd}${per === 1 ? '' : ` / ${count(per)}`}`;
      out.push(row(`  ${line.item.padEnd(44)} ${count(line.quantity).padStart(14)}  ${rate}`, dollars(line.usd)));
    }
  }
  out.push(row('Total AWS', dollars(estimate.totalUsd)), '');
  out.push("Model providers (not AWS: the widgets' pricing in the config; Bedrock or the provider bills it):");
  for (const w of estimate.model.widgets) {
    const usd = w.usd === undefined ? 'no pricing in the config' : dollars(w.usd);
    out.push(row(`  ${w.id} (model ${w.model}), ${count(w.messages)} messages`, usd));
  }
  if (estimate.model.widgets.length === 0) out.push('  no active widget');
  out.push(row('Total model', dollars(estimate.model.totalUsd)), '', 'Assumptions:');
  out.push(...estimate.assumptions.flatMap((a) => wrap(`  - ${a}`, '    ')));
  return out.join('\n');
}
