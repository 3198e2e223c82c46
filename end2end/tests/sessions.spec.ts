// Sessions on Credentials & Access: two browsers signed in as one person;
// the first sees both (itself as This device, with the browser and the
// address), revokes the other, whose next page is the sign-in page; Sign
// out other sessions does the same for a third; a CLI login is listed,
// revoked, and `sluice whoami` then says the login ended.
import { expect, type Browser, type Page } from "@playwright/test";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { hydrated, requestLink, signInLinkFor, signUp, test, uniqueEmail, uniqueHandle } from "./support";

const serverBin = process.env.SLUICE_SERVER_BIN ?? path.resolve(__dirname, "../../target/release/sluice");

/** Signs `email` in from a browser context of its own. */
async function signInElsewhere(browser: Browser, email: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await requestLink(page, email);
  await page.goto(await signInLinkFor(email));
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/user\//);
  return page;
}

test("see sessions, revoke one, sign out the others, end a CLI login", async ({ page, browser, baseURL }) => {
  const handle = uniqueHandle("ses");
  const email = uniqueEmail("ses");
  await signUp(page, email, handle, "Sam Session");
  const other = await signInElsewhere(browser, email);

  await page.goto(`/user/${handle}/advanced/credentials`);
  await hydrated(page);
  const section = page.getByRole("region", { name: "Sessions" });
  const rows = section.locator("li.session");
  await expect(rows).toHaveCount(2);
  const mine = section.locator('li.session[data-current="true"]');
  await expect(mine.getByText("This device")).toBeVisible();
  // The journeys run as Playwright's Desktop Chrome, which says Windows.
  await expect(mine).toContainText(/Chrome \d+ on Windows/);
  await expect(mine).toContainText("from 127.0.0.1");
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await section.screenshot({ path: `test-results/screens/sessions-${width}.png` });
  }
  await page.setViewportSize({ width: 1280, height: 720 });

  // Revoke the other browser: its next navigation lands on /login.
  const theirs = section.locator('li.session[data-current="false"]');
  await theirs.getByRole("button", { name: /^Revoke / }).click();
  await expect(rows).toHaveCount(1);
  await other.goto(`/user/${handle}/advanced/credentials`);
  await expect(other).toHaveURL(/\/login/);

  // A third browser, then Sign out other sessions, confirmed.
  const third = await signInElsewhere(browser, email);
  await page.reload();
  await hydrated(page);
  await expect(rows).toHaveCount(2);
  await section.getByRole("button", { name: "Sign out other sessions" }).click();
  const dialog = page.getByRole("dialog", { name: "Sign out other sessions?" });
  await expect(dialog).toContainText("This browser stays signed in.");
  await dialog.getByRole("button", { name: "Sign out other sessions" }).click();
  await expect(section.getByRole("status")).toHaveText("1 other session was signed out.");
  await expect(rows).toHaveCount(1);
  await third.goto(`/user/${handle}`);
  await expect(third).toHaveURL(/\/login/);

  // A CLI login made with `sluice login`, listed, revoked; whoami then fails.
  const config = mkdtempSync(path.join(tmpdir(), "sluice-cli-"));
  const env = { ...process.env, SLUICE_CONFIG_DIR: config };
  const login = spawn(serverBin, ["login", "--url", baseURL!], { env });
  let out = "";
  login.stdout.on("data", (d) => (out += d));
  const exited = new Promise<number>((resolve) => login.on("exit", (code) => resolve(code ?? -1)));
  await expect.poll(() => out).toContain("/login/token?r=");
  await page.goto(out.match(/(http\S+\/login\/token\?r=\S+)/)![1]);
  await page.getByRole("button", { name: "Confirm" }).click();
  const code = (await page.getByTestId("cli-code").textContent())!;
  login.stdin.write(`${code}\n`);
  expect(await exited).toBe(0);
  expect(spawnSync(serverBin, ["whoami"], { env, encoding: "utf8" }).stdout.trim()).toBe(handle);

  await page.goto(`/user/${handle}/advanced/credentials`);
  await hydrated(page);
  const cli = section.locator("li.session").filter({ hasText: "CLI login" });
  await expect(cli).toContainText("Sluice CLI on Command line");
  await expect(cli).toContainText("from 127.0.0.1");
  await cli.getByRole("button", { name: /^Revoke / }).click();
  await expect(cli).toHaveCount(0);
  const whoami = spawnSync(serverBin, ["whoami"], { env, encoding: "utf8" });
  expect(whoami.status).not.toBe(0);
  expect(whoami.stderr).toContain("the kept token no longer works");
  await expect(rows).toHaveCount(1);
});
