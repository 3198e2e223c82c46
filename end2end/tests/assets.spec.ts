// The browser's code travels compressed: the release site keeps a brotli
// and a gzip copy of each file, and the server sends the one the browser
// accepts (the same bytes, decoded).
import { expect, test } from "@playwright/test";

for (const [accept, encoding] of [
  ["br", "br"],
  ["gzip", "gzip"],
  ["identity", undefined],
] as const) {
  test(`the page's module with Accept-Encoding: ${accept}`, async ({ request }) => {
    const res = await request.get("/pkg/sluice.wasm", { headers: { "Accept-Encoding": accept } });
    expect(res.status()).toBe(200);
    expect(res.headers()["content-type"]).toBe("application/wasm");
    expect(res.headers()["content-encoding"]).toBe(encoding);
    const body = await res.body();
    // "\0asm": a WebAssembly module once decoded, whichever copy was sent.
    expect([...body.subarray(0, 4)]).toEqual([0, 0x61, 0x73, 0x6d]);
  });
}

test("a page in the browser loads its code compressed", async ({ page }) => {
  const encodings = new Map<string, string | undefined>();
  page.on("response", (res) => {
    const path = new URL(res.url()).pathname;
    if (/\.(js|wasm|css)$/.test(path)) encodings.set(path, res.headers()["content-encoding"]);
  });
  await page.goto("/login");
  await page.locator("body[data-hydrated]").waitFor({ state: "attached" });
  expect(encodings.get("/pkg/sluice.wasm")).toMatch(/^(br|gzip)$/);
  expect(encodings.get("/pkg/sluice.css")).toMatch(/^(br|gzip)$/);
});
