// Workspaces tab: New Workspace by the handle rule, its DNS name and
// connection string, and deleting it only after typing its handle.
import { expect } from "@playwright/test";
import { signUp, test, uniqueEmail, uniqueHandle } from "./support";

test("create a workspace, see its connection string, delete it with a typed confirmation", async ({ page }) => {
  const handle = uniqueHandle("wsp");
  await signUp(page, uniqueEmail("wsp"), handle, "Wes Pace");
  await expect(page.locator('li.card[data-workspace="default"]')).toContainText(`default-${handle}.us-east-1.db.`);

  await page.getByRole("button", { name: "New Workspace" }).click();
  const field = page.getByLabel("Workspace handle");
  await expect(field).toBeFocused();
  await field.fill("Bad Name");
  await expect(page.getByRole("alert").filter({ hasText: /./ }).first()).toBeVisible();
  await field.fill("analytics");
  await page.getByRole("button", { name: "Create" }).click();
  const card = page.locator('li.card[data-workspace="analytics"]');
  await expect(card).toContainText(`analytics-${handle}.us-east-1.db.`);
  await expect(page.getByRole("button", { name: "New Workspace" })).toBeVisible();

  // Its connection string, masked until Reveal.
  const row = page.locator('li.connection[data-workspace="analytics"]');
  const code = row.getByTestId("connection-string");
  await expect(code).toContainText("••••");
  await row.getByRole("button", { name: "Reveal" }).click();
  await expect(code).toHaveText(new RegExp(`^postgres://${handle}:[A-Za-z0-9]{32}@analytics-${handle}\\.`));
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `test-results/screens/workspaces-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 720 });

  // A taken handle is refused with a message.
  await page.getByRole("button", { name: "New Workspace" }).click();
  await page.getByLabel("Workspace handle").fill("analytics");
  await page.getByRole("button", { name: "Create" }).click();
  await expect(page.getByText("You already have a workspace called “analytics”.")).toBeVisible();
  await page.getByRole("button", { name: "Cancel" }).click();

  await card.getByRole("button", { name: "Delete analytics" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete workspace?" });
  await expect(dialog).toContainText("cannot be undone");
  const remove = dialog.getByRole("button", { name: "Delete" });
  await expect(remove).toBeDisabled();
  await dialog.getByLabel("Type analytics to confirm").fill("analytic");
  await expect(remove).toBeDisabled();
  await page.screenshot({ path: `test-results/screens/workspaces-delete-1280.png` });
  await dialog.getByLabel("Type analytics to confirm").fill("analytics");
  await expect(remove).toBeEnabled();
  await remove.click();
  await expect(dialog).toHaveCount(0);
  await expect(card).toHaveCount(0);
  await expect(page.locator('li.connection[data-workspace="analytics"]')).toHaveCount(0);
  await page.reload();
  await expect(page.locator('li.card[data-workspace="default"]')).toBeVisible();
  await expect(card).toHaveCount(0);
});
