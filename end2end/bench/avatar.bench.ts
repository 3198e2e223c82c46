// The avatar pipeline in WASM (decode → orient → crop → resize → PNG, the
// `image` crate) against the browser's own canvas path (createImageBitmap
// → drawImage → toBlob) for the same crop of the same 4000×3000 JPEG, in
// one run, in this Chromium. Prints both medians and the ratio.
import { test } from "@playwright/test";
import * as fs from "node:fs";
import * as path from "node:path";

test.use({ bypassCSP: true });

const ROUNDS = 7;

test("avatar crop: WASM against canvas", async ({ page }) => {
  await page.goto("/login");
  await page.waitForFunction(() => document.querySelector("script[type=module]") !== null);
  const source = fs.readFileSync(path.join(__dirname, "avatar.browser.js"), "utf8")
    .split("\n")
    .filter((l) => !l.startsWith("//"))
    .join("\n");
  const result: any = await page.evaluate(`(${source})(${ROUNDS})`);
  console.log(
    `avatar crop of a 4000×3000 JPEG (${result.jpegBytes} bytes) to a 512 px PNG, median of ${ROUNDS}:\n` +
      `  WASM (image crate): ${result.wasm.toFixed(0)} ms  (PNG ${result.sizes.wasm} bytes)\n` +
      `  canvas (drawImage + toBlob): ${result.canvas.toFixed(0)} ms  (PNG ${result.sizes.canvas} bytes)\n` +
      `  ratio WASM / canvas: ${(result.wasm / result.canvas).toFixed(2)}×`,
  );
});
