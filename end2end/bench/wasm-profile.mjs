// What the browser module is made of, from twiggy's list of every function
// and data segment in the linked (not yet optimised or split) module:
// usage: node wasm-profile.mjs <twiggy top -f csv output>
// Prints the share of code and data in functions that exist in more than
// one copy (a generic stamped out for each type it is used with), the
// largest such families, and the share by crate.
import { readFileSync } from "node:fs";

const lines = readFileSync(process.argv[2], "utf8").trim().split("\n").slice(1);
// Name,ShallowSize,ShallowSizePercent,RetainedSize,RetainedSizePercent: the
// name may itself hold commas, the four numbers after it never do.
const parse = (line) => {
  const cols = line.split(",");
  const name = cols.slice(0, -4).join(",").replace(/^"|"$/g, "").replace(/""/g, '"');
  return { name, size: Number(cols[cols.length - 4]) };
};
const items = lines.map(parse).filter((i) => !/section|subsection/.test(i.name));
const total = items.reduce((a, i) => a + i.size, 0);
const families = new Map();
const crates = new Map();
for (const { name, size } of items) {
  const base = name.replace(/::h[0-9a-f]{16}$/, "");
  const f = families.get(base) ?? { copies: 0, size: 0 };
  families.set(base, { copies: f.copies + 1, size: f.size + size });
  const crate = /([A-Za-z_][A-Za-z0-9_]*)::/.exec(name)?.[1] ?? "(other)";
  crates.set(crate, (crates.get(crate) ?? 0) + size);
}
const pct = (n) => `${((n / total) * 100).toFixed(1)}%`;
const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
const copied = [...families.values()].filter((f) => f.copies > 1).reduce((a, f) => a + f.size, 0);
console.log(`Linked module: ${kb(total)} of code and data (before wasm-opt and splitting)`);
console.log(`  in functions with more than one copy (generics per type): ${kb(copied)}, ${pct(copied)}`);
console.log("  largest families (copies, size):");
for (const [name, f] of [...families].filter(([, f]) => f.copies > 1).sort((a, b) => b[1].size - a[1].size).slice(0, 8)) {
  console.log(`    ${String(f.copies).padStart(4)} × ${kb(f.size).padStart(7)}  ${name.slice(0, 110)}`);
}
console.log("  by crate (first path in the name):");
for (const [crate, size] of [...crates].sort((a, b) => b[1] - a[1]).slice(0, 10)) {
  console.log(`    ${crate.padEnd(20)} ${kb(size).padStart(7)}  ${pct(size)}`);
}
