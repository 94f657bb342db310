// RSS of `switchyard serve` under the memory attacks of issue 10 (items 1 and 3), measured by hand:
//
//   node --import tsx test/bench/rss-attacks.ts [get-flood|stdio-line|big-result|big-result-x4|big-result-stdio ...]
//
// Prints one line of figures per scenario (lib/rss-scenarios.ts). Not part of `npm run bench` (it
// needs several hundred MiB of traffic per scenario); the large-result scenarios are also
// `npm run bench -- large`. Figures are recorded in docs/decisions.md.
import { scenario, SCENARIOS, type Scenario } from './lib/rss-scenarios.js';

const wanted = process.argv.slice(2) as Scenario[];
for (const name of wanted) {
  if (!SCENARIOS.includes(name)) throw new Error(`unknown scenario ${name} (${SCENARIOS.join(', ')})`);
}
const names: readonly Scenario[] = wanted.length ? wanted : SCENARIOS;
for (const name of names) {
  const figures = await scenario(name);
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}
