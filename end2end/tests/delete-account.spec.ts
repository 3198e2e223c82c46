// Delete developer account: Delete stays disabled until the handle is typed
// exactly; then the browser is signed out on a page that says it is done,
// and the same address starts a fresh sign-up.
import { expect } from "@playwright/test";
import { requestLink, signInLinkFor, signUp, test, uniqueEmail, uniqueHandle } from "./support";

test("type a wrong handle, then the right one: signed out, and the address signs up afresh", async ({ page }) => {
  const handle = uniqueHandle("del");
  const email = uniqueEmail("del");
  await signUp(page, email, handle, "Dee Leted");
  await page.goto(`/user/${handle}/advanced/profile`);

  await page.getByRole("button", { name: "Delete developer account" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete developer account?" });
  await expect(dialog).toContainText("This action is not reversible.");
  await expect(dialog).toContainText("every workspace");
  const remove = dialog.getByRole("button", { name: "Delete" });
  const typed = dialog.getByLabel(`Type ${handle} to confirm`);
  await expect(remove).toBeDisabled();
  for (const wrong of [handle.slice(0, -1), handle.toUpperCase(), ` ${handle}`]) {
    await typed.fill(wrong);
    await expect(remove).toBeDisabled();
  }
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 860 });
    await page.screenshot({ path: `test-results/screens/delete-account-${width}.png` });
  }
  await page.setViewportSize({ width: 1280, height: 720 });
  // Escape changes nothing.
  await page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);
  await page.getByRole("button", { name: "Delete developer account" }).click();
  await dialog.getByLabel(`Type ${handle} to confirm`).fill(handle);
  await expect(remove).toBeEnabled();
  await remove.click();

  await expect(page).toHaveURL(/\/login\?deleted=1$/);
  await expect(page.getByRole("status")).toContainText("Your developer account was deleted.");
  const gone = await page.goto(`/user/${handle}`);
  await expect(page.getByRole("heading", { name: "Sign in to Sluice" })).toBeVisible();
  expect(gone?.url()).toContain("/login");

  // The same address: a new account, and the old handle is held.
  await requestLink(page, email);
  await page.goto(await signInLinkFor(email));
  await expect(page.getByRole("heading", { name: "Create your account" })).toBeVisible();
  await page.getByLabel("Handle").fill(handle);
  await page.getByLabel("Display Name").fill("Dee Again");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText(`The handle “${handle}” is taken.`)).toBeVisible();
});
