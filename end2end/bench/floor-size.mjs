// The first load's script and module against the framework's floor (the
// page in bench/floor), both compressed the same way in the same run.
// usage: node floor-size.mjs <floor dir> <site pkg dir>
import { readFileSync } from "node:fs";
import { join } from "node:path";
import zlib from "node:zlib";
import { recordGoal } from "./goals.mjs";

const [floorDir, pkg] = process.argv.slice(2);
const size = (files) =>
  files.reduce(
    (a, f) => {
      const bytes = readFileSync(f);
      return {
        raw: a.raw + bytes.length,
        gzip: a.gzip + zlib.gzipSync(bytes, { level: 9 }).length,
        brotli: a.brotli + zlib.brotliCompressSync(bytes, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
      };
    },
    { raw: 0, gzip: 0, brotli: 0 },
  );
const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
const floor = size([join(floorDir, "floor_bg.wasm"), join(floorDir, "floor.js")]);
const sluice = size([join(pkg, "sluice.wasm"), join(pkg, "sluice.js")]);
const line = (name, s) => `  ${name.padEnd(44)} ${kb(s.raw).padStart(8)} raw ${kb(s.gzip).padStart(7)} gzip -9 ${kb(s.brotli).padStart(7)} brotli 11`;
console.log(line("floor (one page, one read, one form)", floor));
console.log(line("Sluice's main module and its script", sluice));
console.log(`  Sluice / floor (gzip): ${(sluice.gzip / floor.gzip).toFixed(2)}× (goal: at most 1.5×); above the floor: ${kb(sluice.gzip - floor.gzip)} gzip`);
recordGoal("First load: main module and script, gzip", kb(sluice.gzip), `the framework's floor, ${kb(floor.gzip)}`, sluice.gzip / floor.gzip, 1.5);
