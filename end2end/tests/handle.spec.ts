// Handle: the rule as you type, availability, and a confirmation that lists
// every workspace's DNS name before and after; then the pages and names
// follow the new handle.
import { expect } from "@playwright/test";
import { signUp, test, uniqueEmail, uniqueHandle } from "./support";

test("change the handle: the preview lists every workspace, then URLs and DNS names follow", async ({ page }) => {
  const handle = uniqueHandle("hdl");
  const other = uniqueHandle("hdo");
  await signUp(page, uniqueEmail("hdo"), other, "Other Person");
  await page.context().clearCookies();
  await signUp(page, uniqueEmail("hdl"), handle, "Hedda Handle");

  // A second workspace, so the preview has two names to list.
  await page.getByRole("button", { name: "New Workspace" }).click();
  await page.getByLabel("Workspace handle").fill("analytics");
  await page.getByRole("button", { name: "Create" }).click();
  await expect(page.locator('li.card[data-workspace="analytics"]')).toBeVisible();

  await page.goto(`/user/${handle}/advanced/profile`);
  const field = page.getByLabel("Handle", { exact: true });
  const save = page.locator("form:has(#new_handle)").getByRole("button", { name: "Save" });
  await expect(field).toHaveValue(handle);
  await expect(save).toBeDisabled();
  await field.fill("Bad Handle");
  await expect(page.locator("#handle-problem")).toContainText("lowercase letters");
  await expect(save).toBeDisabled();
  await field.fill("admin");
  await expect(page.locator("#handle-problem")).toContainText("reserved");
  await field.fill(other);
  await expect(page.locator("#handle-problem")).toContainText("is taken");
  await expect(save).toBeDisabled();

  const renamed = `${handle}-x`;
  await field.fill(renamed);
  await expect(page.locator("#handle-status")).toContainText(`“${renamed}” is available.`);
  await save.click();
  const dialog = page.getByRole("dialog", { name: "Change your handle?" });
  await expect(dialog).toBeVisible();
  for (const ws of ["default", "analytics"]) {
    const row = dialog.getByRole("row", { name: new RegExp(`^${ws} `) });
    await expect(row).toContainText(`${ws}-${handle}.us-east-1.db.`);
    await expect(row).toContainText(`${ws}-${renamed}.us-east-1.db.`);
  }
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 860 });
    await page.screenshot({ path: `test-results/screens/handle-confirm-${width}.png` });
  }
  await page.setViewportSize({ width: 1280, height: 720 });
  await dialog.getByRole("button", { name: "Change handle" }).click();

  await expect(page).toHaveURL(new RegExp(`/user/${renamed}/advanced/profile\\?handle=changed$`));
  await expect(page.getByRole("status").filter({ hasText: "Your handle is now" })).toContainText(renamed);
  await expect(page.getByLabel("Handle", { exact: true })).toHaveValue(renamed);
  await page.getByRole("link", { name: "Workspaces" }).click();
  await expect(page).toHaveURL(new RegExp(`/user/${renamed}$`));
  for (const ws of ["default", "analytics"]) {
    await expect(page.locator(`li.card[data-workspace="${ws}"]`)).toContainText(`${ws}-${renamed}.us-east-1.db.`);
  }
  // The old address is nobody's page now.
  const old = await page.goto(`/user/${handle}`);
  expect(old?.status()).toBe(404);
});
