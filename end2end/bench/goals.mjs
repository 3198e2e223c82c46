// The benchmarks' goals, gathered for one table: each figure that has a
// goal is written, with what it is measured against, to the file named by
// SLUICE_BENCH_GOALS (tab-separated), which goals-table.mjs prints at the
// end of scripts/bench.sh. `ratio` is lower-is-better; the goal is its
// ceiling.
import { appendFileSync } from "node:fs";

export function recordGoal(figure, measured, against, ratio, goal) {
  const file = process.env.SLUICE_BENCH_GOALS;
  if (!file) return;
  appendFileSync(file, `${figure}\t${measured}\t${against}\t${ratio.toFixed(2)}\t${goal.toFixed(2)}\n`);
}
