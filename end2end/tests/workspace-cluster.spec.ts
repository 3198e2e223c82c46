// A workspace on a PostgreSQL cluster, from the page: New Workspace in the
// cluster's region shows Creating, then Ready; Copy psql command puts the
// cluster's address on the clipboard, and the command, run in a shell with
// Debian's psql, opens a real PostgreSQL database.
import { expect } from "@playwright/test";
import { clusterAddress, clusterRegion } from "../playwright.config";
import { paste, signUp, test, uniqueEmail, uniqueHandle } from "./support";

test.use({ permissions: ["clipboard-read", "clipboard-write"] });

test("create a workspace on the cluster and open it with the copied psql command", async ({ page }) => {
  expect(clusterAddress, "SLUICE_TEST_CLUSTER_URL names the test cluster (scripts/test.sh sets it)").not.toBe("");
  const handle = uniqueHandle("pgc");
  await signUp(page, uniqueEmail("pgc"), handle, "Pia Cluster");

  await page.getByRole("button", { name: "New Workspace" }).click();
  await page.getByLabel("Workspace handle").fill("reports");
  const region = page.getByLabel("Region");
  // Both engines are offered, the default region chosen.
  await expect(region.locator("option")).toContainText([
    new RegExp(`^${clusterRegion} — PostgreSQL 1\\d+ cluster at ${clusterAddress.replace(/\./g, "\\.")}$`),
    /^us-east-1 — PostgreSQL 1\d+ on this server$/,
  ]);
  await expect(region).toHaveValue("us-east-1");
  await region.selectOption(clusterRegion);
  for (const width of [390, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    await page.locator("form.workspace-new").screenshot({ path: `test-results/screens/workspaces-new-region-${width}.png` });
  }
  await page.getByRole("button", { name: "Create" }).click();

  const card = page.locator('li.card[data-workspace="reports"]');
  await expect(card).toContainText(`reports-${handle}.${clusterRegion}.db.`);
  await expect(card.getByText(`cluster at ${clusterAddress}`, { exact: false })).toBeVisible();
  await expect(card.getByText("Ready", { exact: true })).toBeVisible({ timeout: 15_000 });

  const row = page.locator('li.connection[data-workspace="reports"]');
  await expect(row.getByText("Ready on PostgreSQL", { exact: true })).toBeVisible();
  await row.getByRole("button", { name: "Copy psql command" }).click();
  await expect(row.getByRole("status")).toHaveText("Copied to the clipboard.");
  const command = await page.evaluate(() => navigator.clipboard.readText());
  expect(command).toMatch(new RegExp(`^psql "postgres://${handle}:[A-Za-z0-9]{32}@${clusterAddress.replace(/\./g, "\\.")}/[a-z0-9]+"$`));

  const run = paste(command, "CREATE TABLE visits (id int PRIMARY KEY, page text);\nINSERT INTO visits VALUES (1, 'workspaces');\nSELECT page, current_user, version() LIKE 'PostgreSQL %' AS real FROM visits;\n");
  expect(run.err).toBe("");
  expect(run.ok).toBe(true);
  expect(run.out).toContain("INSERT 0 1");
  expect(run.out).toMatch(new RegExp(`workspaces \\| ${handle}\\s+\\| t`));

  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `test-results/screens/workspaces-cluster-${width}.png`, fullPage: true });
  }
});
