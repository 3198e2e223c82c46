// Benchmarks in the same browser and against the same server as the
// journeys; run by scripts/bench.sh, never by the test command.
import { defineConfig } from "@playwright/test";
import base from "./playwright.config";

export default defineConfig({
  ...base,
  testDir: "./bench",
  testMatch: /.*\.bench\.ts$/,
  timeout: 180_000,
});
