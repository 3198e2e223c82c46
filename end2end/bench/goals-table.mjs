// Prints the goals the benchmarks gathered (see goals.mjs) as one table:
// each figure, what it is measured against, the ratio and its goal.
// usage: node goals-table.mjs <file>
import { readFileSync } from "node:fs";

const rows = readFileSync(process.argv[2], "utf8")
  .split("\n")
  .filter(Boolean)
  .map((l) => l.split("\t"));
const width = Math.max(...rows.map((r) => r[0].length));
for (const [figure, measured, against, ratio, goal] of rows) {
  const met = Number(ratio) <= Number(goal) ? "met" : "NOT MET";
  console.log(`  ${figure.padEnd(width)}  ${measured.padStart(12)}  ${ratio.padStart(5)}x of ${against} (goal ${goal}x): ${met}`);
}
