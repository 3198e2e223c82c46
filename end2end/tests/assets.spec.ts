// The browser's code travels compressed: the release site keeps a brotli
// and a gzip copy of each file, and the server sends the one the browser
// accepts (the same bytes, decoded).
import { expect } from "@playwright/test";
import { test } from "./support";

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

// The files keep their names from one release to the next, so the browser
// asks for them again on every visit (no-cache, with If-Modified-Since) and
// the server answers 304 while they are unchanged: the same code, none of
// its bytes sent again. (Chromium reports a revalidated file as 200 or 304
// by how it was loaded; the bytes on the wire tell.)
test("a second visit asks for the page's code again and gets no bytes while it is unchanged", async ({ page }) => {
  type Seen = { cacheControl?: string; asked?: string; bytes: number };
  const visits = [new Map<string, Seen>(), new Map<string, Seen>()];
  let visit = 0;
  page.on("response", async (res) => {
    const path = new URL(res.url()).pathname;
    if (!/^\/pkg\/sluice\.(wasm|js|css)$/.test(path)) return;
    const seen = visits[visit];
    await res.finished();
    const headers = await res.request().allHeaders();
    const sizes = await res.request().sizes();
    seen.set(path, { cacheControl: res.headers()["cache-control"], asked: headers["if-modified-since"], bytes: sizes.responseBodySize });
  });
  await page.goto("/login");
  await page.locator("body[data-hydrated]").waitFor({ state: "attached" });
  visit = 1;
  await page.goto("/login");
  await page.locator("body[data-hydrated]").waitFor({ state: "attached" });
  for (const path of ["/pkg/sluice.wasm", "/pkg/sluice.js", "/pkg/sluice.css"]) {
    await expect.poll(() => visits[1].has(path), { message: path }).toBe(true);
    const [first, again] = [visits[0].get(path)!, visits[1].get(path)!];
    expect(first.cacheControl, path).toBe("no-cache");
    expect(first.bytes, path).toBeGreaterThan(0);
    expect(again.asked, path).toBeTruthy();
    expect(again.bytes, path).toBe(0);
  }
});
