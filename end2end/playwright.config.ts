// Sluice's journeys run against the real server, built in release mode,
// on a fresh data dir, in Debian's Chromium (never a downloaded browser).
import { defineConfig, devices } from "@playwright/test";
import * as path from "node:path";

const port = Number(process.env.SLUICE_E2E_PORT ?? 3100);
// Sluice's own PostgreSQL, where workspaces live, beside the site.
export const dbPort = Number(process.env.SLUICE_E2E_DB_PORT ?? 9194);
export const dataDir = path.resolve(__dirname, ".data");
// The server's log (its stderr), whole, for the test command's secrets check.
export const serverLog = path.resolve(__dirname, ".server.log");
// Seconds the clock of "Confirm it is you" is moved forward by (a journey
// writes it to age a session's proof without waiting).
export const clockFile = path.resolve(__dirname, ".clock");
const root = path.resolve(__dirname, "..");
const serverBin = process.env.SLUICE_SERVER_BIN ?? path.join(root, "target/release/sluice");
// The test command's throwaway PostgreSQL, as the workspace cluster of one
// region (`SLUICE_TEST_CLUSTER_URL`: a role with CREATEDB and CREATEROLE).
export const clusterRegion = "eu-central-1";
const clusterUrl = process.env.SLUICE_TEST_CLUSTER_URL ?? "";
export const clusterAddress = clusterUrl ? new URL(clusterUrl).host : "";
const clusters = clusterUrl ? `${clusterRegion}=${clusterUrl};public=${clusterAddress}` : "";

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? [["list"]] : [["list"]],
  use: {
    // A name, not an address: WebAuthn (passkeys) refuses IP addresses.
    baseURL: `http://localhost:${port}`,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"], channel: undefined } }],
  webServer: {
    // A PostgreSQL an earlier run left (a server killed before it could
    // stop it) is stopped before its data goes.
    command: `pid="$(head -n1 "${dataDir}/postgres/postmaster.pid" 2>/dev/null)"; if [ -n "$pid" ] && kill -INT "$pid" 2>/dev/null; then while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done; fi; rm -rf "${dataDir}" "${clockFile}" && exec "${serverBin}" --demo 2>"${serverLog}"`,
    // SIGTERM: Sluice stops its PostgreSQL in order before it exits.
    gracefulShutdown: { signal: "SIGTERM", timeout: 20_000 },
    cwd: root,
    url: `http://127.0.0.1:${port}/login`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe",
    env: {
      SLUICE_DATA_DIR: dataDir,
      SLUICE_PUBLIC_URL: `http://localhost:${port}`,
      SLUICE_TEST_CLOCK_FILE: clockFile,
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: process.env.LEPTOS_SITE_ROOT ?? path.join(root, "target/site"),
      LEPTOS_ENV: "PROD",
      SLUICE_SIGN_IN_PER_PEER: "1000",
      SLUICE_TENANT_DOMAINS: "tenant.example=acme",
      SLUICE_DB_LISTEN: `127.0.0.1:${dbPort}`,
      SLUICE_WORKSPACE_CLUSTERS: clusters,
      // Usage is measured every second, so that a cap is reached in a journey.
      SLUICE_USAGE_INTERVAL: "1",
      // The journeys' own requests may say where a client is (a token
      // used from another network); the browser sends no such header.
      SLUICE_TRUSTED_PROXIES: "127.0.0.1",
      RUST_LOG: "info",
    },
  },
});
