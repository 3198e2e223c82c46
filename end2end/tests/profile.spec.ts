// User Profile: the Display Name changes everywhere at once, and persists.
import { expect } from "@playwright/test";
import { signUp, test, uniqueEmail, uniqueHandle } from "./support";

test("change the Display Name and see it in the top bar", async ({ page }) => {
  const handle = uniqueHandle("name");
  await signUp(page, uniqueEmail("name"), handle, "Ada");
  await page.goto(`/user/${handle}/advanced/profile`);

  const field = page.getByLabel("Display Name");
  await field.fill("");
  await expect(page.getByText("Enter a display name.")).toBeVisible();
  await expect(page.locator("form", { has: page.getByLabel("Display Name") }).getByRole("button", { name: "Save" })).toBeDisabled();

  await field.fill("Ada Lovelace");
  await page.locator("form", { has: page.getByLabel("Display Name") }).getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  // Without a reload: the top bar, the account heading.
  await expect(page.getByRole("banner").getByText("Ada Lovelace").first()).toBeVisible();
  await expect(page.getByRole("heading", { name: "Ada Lovelace" })).toBeVisible();

  await page.reload();
  await expect(page.getByLabel("Display Name")).toHaveValue("Ada Lovelace");
  await expect(page.getByRole("banner").getByText("Ada Lovelace").first()).toBeVisible();

  // The change is on the account's activity.
  await page.getByRole("link", { name: "Activity" }).click();
  await expect(page.getByRole("cell", { name: /user\.update/ })).toBeVisible();
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the Display Name form still saves", async ({ page }) => {
    const handle = uniqueHandle("plain");
    await signUp(page, uniqueEmail("plain"), handle, "Plain");
    await page.goto(`/user/${handle}/advanced/profile`);
    await page.getByLabel("Display Name").fill("Plain Form");
    await page.locator("form", { has: page.getByLabel("Display Name") }).getByRole("button", { name: "Save" }).click();
    await expect(page).toHaveURL(new RegExp(`/user/${handle}/advanced/profile`));
    await expect(page.getByRole("heading", { name: "Plain Form" })).toBeVisible();
  });
});
