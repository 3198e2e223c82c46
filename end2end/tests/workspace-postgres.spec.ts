// A workspace on Sluice's own PostgreSQL, from the page: Credentials &
// Access says it is ready, Copy psql command puts a ready command on the
// clipboard, and that command, run in a shell with Debian's psql, opens
// the workspace on PostgreSQL and runs PostgreSQL's SQL in it.
import { expect } from "@playwright/test";
import { dbPort } from "../playwright.config";
import { paste, signUp, test, uniqueEmail, uniqueHandle } from "./support";

test.use({ permissions: ["clipboard-read", "clipboard-write"] });

test("copy the psql command and use it", async ({ page }) => {
  const handle = uniqueHandle("psql");
  await signUp(page, uniqueEmail("psql"), handle, "Pat Sequel");
  await page.goto(`/user/${handle}/advanced/credentials`);
  const row = page.getByRole("region", { name: "Database Password" }).getByRole("listitem").filter({ hasText: "default" });
  await expect(row.getByText("Ready on PostgreSQL", { exact: true })).toBeVisible({ timeout: 15_000 });
  // Masked on the page like the connection string.
  await expect(row.getByTestId("psql-command")).toContainText("••••");
  await row.getByRole("button", { name: "Copy psql command" }).click();
  await expect(row.getByRole("status")).toHaveText("Copied to the clipboard.");
  const command = await page.evaluate(() => navigator.clipboard.readText());
  expect(command).toMatch(
    new RegExp(`^psql "postgres://${handle}:[A-Za-z0-9]{32}@default-${handle}\\.us-east-1\\.db\\.[a-z.]+:${dbPort}/[a-z0-9]+\\?sslmode=require&hostaddr=127\\.0\\.0\\.1"$`),
  );

  const first = paste(
    command,
    "SELECT version();\nCREATE TABLE visits (id serial PRIMARY KEY, page text, at timestamptz DEFAULT now());\nINSERT INTO visits (page) VALUES ('credentials'), ('workspaces') RETURNING id;\nSELECT page FROM visits ORDER BY id;\n\\dt\n",
  );
  expect(first.err).toBe("");
  expect(first.ok).toBe(true);
  for (const line of [" PostgreSQL 1", "CREATE TABLE", "INSERT 0 2", " credentials", " workspaces", "(2 rows)", `public | visits | table | ${handle}`]) {
    expect(first.out).toContain(line);
  }

  // The Workspaces tab offers the same command; the data is still there.
  await page.goto(`/user/${handle}`);
  const card = page.locator('li.card[data-workspace="default"]');
  await expect(card.getByText(/^PostgreSQL 1\d+ on this server$/)).toBeVisible();
  await expect(card.getByText("Ready", { exact: true })).toBeVisible();
  const ws = page.locator('li.connection[data-workspace="default"]');
  await expect(ws.getByText("Ready on PostgreSQL", { exact: true })).toBeVisible();
  await ws.getByRole("button", { name: "Copy psql command" }).click();
  await expect(ws.getByRole("status")).toHaveText("Copied to the clipboard.");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(command);
  const again = paste(command, "SELECT count(*) FROM visits;\n");
  expect(again.ok).toBe(true);
  expect(again.out).toMatch(/^\s+2$/m);

  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `test-results/screens/workspaces-psql-${width}.png`, fullPage: true });
    await page.goto(`/user/${handle}/advanced/credentials`);
    await page.screenshot({ path: `test-results/screens/credentials-psql-${width}.png`, fullPage: true });
    await page.goto(`/user/${handle}`);
  }
});
