// CLI login: `sluice login` starts a request, the console page confirms it
// and shows a code, the code typed into the terminal signs it in, and
// `sluice whoami` prints the handle.
import { expect } from "@playwright/test";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { hydrated, signUp, test, uniqueEmail, uniqueHandle } from "./support";

const serverBin = process.env.SLUICE_SERVER_BIN ?? path.resolve(__dirname, "../../target/release/sluice");

test("the login subcommand is confirmed on the page, then whoami prints the handle", async ({ page, baseURL, browser }) => {
  const handle = uniqueHandle("cli");
  await signUp(page, uniqueEmail("cli"), handle, "Cleo Line");
  const config = mkdtempSync(path.join(tmpdir(), "sluice-cli-"));
  const env = { ...process.env, SLUICE_CONFIG_DIR: config };

  const login = spawn(serverBin, ["login", "--url", baseURL!], { env });
  let out = "";
  let err = "";
  login.stdout.on("data", (d) => (out += d));
  login.stderr.on("data", (d) => (err += d));
  const exited = new Promise<number>((resolve) => login.on("exit", (code) => resolve(code ?? -1)));
  await expect.poll(() => out).toContain("/login/token?r=");
  const link = out.match(/(http\S+\/login\/token\?r=\S+)/)![1];

  // Signed out, the page asks to sign in first and comes back.
  const other = await browser.newContext();
  const stranger = await other.newPage();
  await stranger.goto(link);
  await expect(stranger).toHaveURL(/\/login\?next=\/login\/token%3Fr%3Dspttr_/);
  await other.close();

  await page.goto(link);
  await expect(page.getByRole("heading", { name: "Sign in to the CLI?" })).toBeVisible();
  await expect(page.getByText("127.0.0.1")).toBeVisible();
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 800 });
    await page.screenshot({ path: `test-results/screens/cli-login-${width}.png` });
  }
  await page.getByRole("button", { name: "Confirm" }).click();
  const shown = page.getByTestId("cli-code");
  await expect(shown).toHaveText(/^\d{3} \d{3}$/);
  const code = (await shown.textContent())!;
  await page.screenshot({ path: `test-results/screens/cli-login-code-390.png` });

  login.stdin.write(`${code}\n`);
  expect(await exited).toBe(0);
  expect(out).toContain(`as ${handle}`);
  expect(statSync(path.join(config, "credentials.json")).mode & 0o777).toBe(0o600);

  const whoami = spawnSync(serverBin, ["whoami"], { env, encoding: "utf8" });
  expect(whoami.status, whoami.stderr).toBe(0);
  expect(whoami.stdout.trim()).toBe(handle);

  // The request is used up: the page says so.
  await page.goto(link);
  await expect(page.getByRole("heading", { name: "This login request has ended" })).toBeVisible();
  // The sign-in shows in the Audit Log.
  await page.goto(`/user/${handle}/activity?action=auth.cli_login`);
  await expect(page.locator(".audit-table tbody tr")).toHaveCount(1);
  expect(err).toBe("");
});

test("cancelling on the page leaves the CLI signed out", async ({ page, baseURL }) => {
  const handle = uniqueHandle("clx");
  await signUp(page, uniqueEmail("clx"), handle, "Cancel Line");
  const res = await page.request.post(`${baseURL}/api/v0/login/token`);
  expect(res.status()).toBe(201);
  const { id } = await res.json();
  await page.goto(`/login/token?r=${id}`);
  // Live, the page answers in place (a click before that posts the form,
  // and the page then says the request has ended).
  await hydrated(page);
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByRole("heading", { name: "Cancelled" })).toBeVisible();
  const after = await page.request.get(`${baseURL}/api/v0/login/token/${id}`);
  expect(after.status()).toBe(404);
});
