// The browser's code travels compressed: the release site keeps a brotli
// and a gzip copy of each file, and the server sends the one the browser
// accepts (the same bytes, decoded).
import { expect, type Page } from "@playwright/test";
import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, cpSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { hydrated, test } from "./support";

const serverBin = process.env.SLUICE_SERVER_BIN ?? path.resolve(__dirname, "../../target/release/sluice");
const siteRoot = process.env.LEPTOS_SITE_ROOT ?? path.resolve(__dirname, "../../target/site");
/** A page names its release's files: `/v/{hash}/pkg/…`. */
const RELEASE_FILE = /^\/v\/[0-9a-f]{16}\/pkg\/(.+)$/;

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
    const file = new URL(res.url()).pathname.match(RELEASE_FILE)?.[1];
    if (file) encodings.set(file, res.headers()["content-encoding"]);
  });
  await page.goto("/login");
  await hydrated(page);
  expect(encodings.get("sluice.wasm")).toMatch(/^(br|gzip)$/);
  expect(encodings.get("sluice.css")).toMatch(/^(br|gzip)$/);
});

/** The release files `page` loaded since it last navigated: name, bytes
 * over the wire (0: from the browser's cache, not asked for). */
async function releaseFiles(page: Page): Promise<{ release: string; file: string; transferred: number }[]> {
  const entries = await page.evaluate(() =>
    (performance.getEntriesByType("resource") as PerformanceResourceTiming[]).map((e) => ({
      path: new URL(e.name).pathname,
      transferred: e.transferSize,
    })),
  );
  return entries.flatMap(({ path, transferred }) => {
    const m = path.match(RELEASE_FILE);
    return m ? [{ release: path.slice(0, path.length - m[1].length), file: m[1], transferred }] : [];
  });
}

/** A port nobody listens on. */
async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Sluice on `port`, serving the site in `site`, once it answers. */
async function release(site: string, data: string, port: number): Promise<ChildProcess> {
  const server = spawn(serverBin, [], {
    // Where the server finds Leptos.toml, as the journeys' own does.
    cwd: path.resolve(__dirname, "../.."),
    env: {
      ...process.env,
      SLUICE_DATA_DIR: data,
      SLUICE_PUBLIC_URL: `http://127.0.0.1:${port}`,
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: site,
      LEPTOS_ENV: "PROD",
      SLUICE_DB_LISTEN: "off",
      SLUICE_WORKSPACE_CLUSTERS: "",
      RUST_LOG: "warn",
    },
    stdio: "ignore",
  });
  for (let i = 0; i < 150; i++) {
    const up = await fetch(`http://127.0.0.1:${port}/login`).then((r) => r.ok, () => false);
    if (up) return server;
    await new Promise((r) => setTimeout(r, 200));
  }
  server.kill("SIGKILL");
  throw new Error("a release did not start in 30 s");
}

async function stop(server: ChildProcess) {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((r) => server.once("exit", r));
  server.kill("SIGTERM");
  await exited;
}

// A page names its release's files under a path of their own, kept a
// year without asking: a repeat visit asks for nothing but the page, and
// a page from the next release names (and fetches) the new files.
test("a repeat visit asks for none of the site's files; the next release's are fetched", async ({ browser }) => {
  test.setTimeout(90_000);
  const dir = mkdtempSync(path.join(tmpdir(), "sluice-release-"));
  const site = path.join(dir, "site");
  cpSync(siteRoot, site, { recursive: true });
  const port = await freePort();
  const context = await browser.newContext({ baseURL: `http://127.0.0.1:${port}` });
  const page = await context.newPage();
  const cacheControl = new Map<string, string | undefined>();
  page.on("response", (res) => {
    const p = new URL(res.url()).pathname;
    if (RELEASE_FILE.test(p)) cacheControl.set(p, res.headers()["cache-control"]);
  });
  let server = await release(site, path.join(dir, "data"), port);
  try {
    await page.goto("/login");
    await hydrated(page);
    const first = await releaseFiles(page);
    const names = first.map((f) => f.file);
    expect(names).toEqual(expect.arrayContaining(["sluice.css", "sluice.js", "sluice.wasm"]));
    expect(new Set(first.map((f) => f.release)).size).toBe(1);
    for (const f of first) {
      expect(f.transferred, f.file).toBeGreaterThan(0);
      expect(cacheControl.get(f.release + f.file), f.file).toBe("public, max-age=31536000, immutable");
    }

    // Again: the same files, every one from the browser's cache.
    await page.goto("/login");
    await hydrated(page);
    const again = await releaseFiles(page);
    expect(again.map((f) => f.release + f.file).sort()).toEqual(first.map((f) => f.release + f.file).sort());
    for (const f of again) expect(f.transferred, `${f.file} asked for again`).toBe(0);

    // The next release changes the stylesheet: every name is new, and
    // the browser fetches them.
    await stop(server);
    for (const copy of ["sluice.css.br", "sluice.css.gz"]) rmSync(path.join(site, "pkg", copy), { force: true });
    appendFileSync(path.join(site, "pkg", "sluice.css"), "\n/* the next release */\n");
    server = await release(site, path.join(dir, "data"), port);
    await page.goto("/login");
    await hydrated(page);
    const next = await releaseFiles(page);
    expect(next.length).toBeGreaterThanOrEqual(3);
    for (const f of next) {
      expect(f.release, f.file).not.toBe(first[0].release);
      expect(f.transferred, `${f.file} fetched`).toBeGreaterThan(0);
    }
    const css = await page.evaluate(async () => {
      const link = document.querySelector<HTMLLinkElement>('link[rel="stylesheet"]')!;
      return (await fetch(link.href)).text();
    });
    expect(css).toContain("the next release");
  } finally {
    await context.close();
    await stop(server);
    rmSync(dir, { recursive: true, force: true });
  }
});
