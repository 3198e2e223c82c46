// Usage Thresholds: a compute cap and a spend warning set on Usage; a
// workspace driven past 75 % and 100 % of the cap with the copied psql
// command (the journey server measures every second); one warning mail
// per step; at the cap psql is refused with the cap's words and the card
// says Paused; the cap raised, psql is let in again within seconds.
import { expect } from "@playwright/test";
import * as fs from "node:fs";
import * as path from "node:path";
import { dataDir } from "../playwright.config";
import { paste, signUp, test, uniqueEmail, uniqueHandle } from "./support";

test.use({ permissions: ["clipboard-read", "clipboard-write"] });

/** The subjects of every mail to `email` so far. */
function subjectsTo(email: string): string[] {
  const outbox = path.join(dataDir, "outbox");
  if (!fs.existsSync(outbox)) return [];
  return fs
    .readdirSync(outbox)
    .map((f) => fs.readFileSync(path.join(outbox, f), "utf8"))
    .filter((m) => m.split(/\r?\n/).some((l) => l.toLowerCase() === `to: ${email}`))
    .map((m) => m.match(/^Subject: (.*)$/m)?.[1] ?? "");
}

test("a compute cap warns, stops psql at the cap, and lets it in when raised", async ({ page }) => {
  test.setTimeout(120_000);
  const handle = uniqueHandle("cap");
  const email = uniqueEmail("cap");
  await signUp(page, email, handle, "Cap Tain");

  // The psql command of the account's first workspace.
  await page.goto(`/user/${handle}/advanced/credentials`);
  const row = page.getByRole("region", { name: "Database Password" }).getByRole("listitem").filter({ hasText: "default" });
  await expect(row.getByText("Ready on PostgreSQL", { exact: true })).toBeVisible({ timeout: 15_000 });
  await row.getByRole("button", { name: "Copy psql command" }).click();
  const command = await page.evaluate(() => navigator.clipboard.readText());

  // Thresholds: 0.003 h (10.8 s) of compute, capped; $5 of spend, a warning.
  await page.goto(`/user/${handle}/advanced/usage`);
  const section = page.getByRole("region", { name: "Usage Thresholds" });
  await expect(section.getByText("No cap: thresholds only send warnings")).toBeVisible();
  const compute = section.getByRole("group", { name: "Compute time" });
  await compute.getByLabel("Compute time threshold, in hours").fill("0.003");
  await compute.getByLabel("When Compute time reaches it").selectOption("cap_and_warn");
  const spend = section.getByRole("group", { name: "Spend (estimate)" });
  await spend.getByLabel("Spend (estimate) threshold, in USD").fill("5");
  // What the cap does is said before it is saved.
  await expect(section.locator("#cap-summary")).toContainText("At the cap (compute time at 10 s)");
  await expect(section.locator("#cap-summary")).toContainText("refuses new connections");
  // A bad amount is named, and Save waits for a good one.
  await spend.getByLabel("Spend (estimate) threshold, in USD").fill("five");
  await expect(section.getByText("The spend threshold must be a number")).toBeVisible();
  await expect(section.getByRole("button", { name: "Save thresholds" })).toBeDisabled();
  await spend.getByLabel("Spend (estimate) threshold, in USD").fill("5");
  await section.getByRole("button", { name: "Save thresholds" }).click();
  await expect(section.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `test-results/screens/usage-thresholds-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 720 });

  // A busy client: one second of compute per statement, until it is stopped.
  const busy = paste(command, "SELECT pg_sleep(1);\n".repeat(18));
  expect(busy.ok).toBe(false);
  expect(busy.err).toMatch(/terminating connection|server closed the connection/);
  const steps = /^Usage: (75|100) % of your compute time threshold$/;
  await expect.poll(() => subjectsTo(email).filter((s) => steps.test(s)).sort(), { timeout: 15_000 }).toEqual([
    "Usage: 100 % of your compute time threshold",
    "Usage: 75 % of your compute time threshold",
  ]);

  // At the cap: refused, saying why and where.
  const refused = paste(command, "SELECT 1;\n");
  expect(refused.ok).toBe(false);
  expect(refused.err).toContain("usage cap reached (compute time)");
  expect(refused.err).toContain(`/user/${handle}/advanced/usage`);
  await page.goto(`/user/${handle}`);
  const card = page.locator('li.card[data-workspace="default"]');
  await expect(card.getByText("Paused", { exact: true })).toBeVisible();
  await expect(card.getByText(/^Paused: usage cap reached/)).toBeVisible();
  await page.goto(`/user/${handle}/advanced/usage`);
  const banner = page.getByRole("alert").filter({ hasText: "Paused: usage cap reached" });
  await expect(banner).toBeVisible();
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `test-results/screens/usage-cap-banner-${width}.png` });
  }
  await page.setViewportSize({ width: 1280, height: 720 });

  // Raised to an hour: psql is let in again within seconds, and nothing
  // was mailed twice.
  await compute.getByLabel("Compute time threshold, in hours").fill("1");
  await section.getByRole("button", { name: "Save thresholds" }).click();
  await expect(section.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  const raised = Date.now();
  await expect.poll(() => paste(command, "SELECT 41 + 1;\n").out, { timeout: 10_000, intervals: [250] }).toContain("42");
  console.log(`psql let in ${Date.now() - raised} ms after the cap was raised`);
  await page.reload();
  await expect(page.getByRole("alert").filter({ hasText: "Paused: usage cap reached" })).toHaveCount(0);
  expect(subjectsTo(email).filter((s) => steps.test(s))).toHaveLength(2);
});
