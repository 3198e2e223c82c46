// Changing the sign-in e-mail: nothing changes before the link in the new
// address's mail is used; afterwards sign-in links go to the new address,
// the old address got a notice, and its undo link restores the old one.
// The new address is at a tenant's domain: the confirmation says the
// account joins it and Billing disappears.
import { expect } from "@playwright/test";
import { hydrated, linkFor, requestLink, signUp, test, uniqueEmail, uniqueHandle } from "./support";

test("change the e-mail, sign in at the new address, undo from the old one", async ({ page }) => {
  const handle = uniqueHandle("mail");
  const old = uniqueEmail("mail");
  const fresh = `moved-${Date.now()}-${Math.floor(Math.random() * 1e6)}@tenant.example`;
  await signUp(page, old, handle, "Em Ail");

  await page.goto(`/user/${handle}/advanced/profile`);
  await hydrated(page);
  const section = page.getByRole("region", { name: "Sign-in e-mail" });
  await expect(section).toContainText(old);
  await section.getByRole("button", { name: "Change e-mail" }).click();
  const dialog = page.getByRole("dialog", { name: "Change sign-in e-mail" });
  // Another account's address is refused without saying whose.
  await dialog.getByLabel("New e-mail").fill("demo@sluice.localhost");
  await dialog.getByRole("button", { name: "Send confirmation link" }).click();
  await expect(dialog.getByRole("alert")).toContainText("That address cannot be used for your account");
  await dialog.getByLabel("New e-mail").fill(fresh);
  await dialog.getByRole("button", { name: "Send confirmation link" }).click();
  await expect(section.getByRole("status")).toContainText(`We sent a link to ${fresh}`);
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 860 });
    await section.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `test-results/screens/email-change-${width}.png` });
  }
  await page.setViewportSize({ width: 1280, height: 720 });

  // Nothing has changed yet.
  await page.reload();
  await expect(section).toContainText(old);
  await expect(page.getByRole("link", { name: "Billing" })).toBeVisible();

  await page.goto(await linkFor(fresh, "/email/confirm"));
  await expect(page.getByRole("heading", { name: "Confirm your new e-mail" })).toBeVisible();
  await expect(page.getByRole("note")).toContainText("joins the tenant acme");
  await expect(page.getByRole("note")).toContainText("Billing page disappears");
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 860 });
    await page.screenshot({ path: `test-results/screens/email-confirm-${width}.png` });
  }
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.getByRole("button", { name: "Confirm new e-mail" }).click();
  await expect(page).toHaveURL(new RegExp(`/user/${handle}/advanced/profile\\?email=changed$`));
  await expect(page.getByRole("region", { name: "Sign-in e-mail" })).toContainText(fresh);
  await expect(page.getByRole("link", { name: "Billing" })).toHaveCount(0);

  // Sign-in links now go to the new address, and sign in to this account.
  await page.getByRole("button", { name: "Account menu" }).click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await requestLink(page, fresh);
  await page.goto(await linkFor(fresh, "/login/confirm"));
  await expect(page.getByRole("heading", { name: "Welcome back" })).toBeVisible();
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(new RegExp(`/user/${handle}$`));

  // The old address got a notice; its undo link restores it, signs out
  // everywhere and stops the account's tokens.
  await page.goto(await linkFor(old, "/email/undo"));
  await expect(page.getByRole("heading", { name: "Undo the e-mail change" })).toBeVisible();
  await expect(page.getByText("every API token and temporary token stops working")).toBeVisible();
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 860 });
    await page.screenshot({ path: `test-results/screens/email-undo-${width}.png` });
  }
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.getByRole("button", { name: "Restore my e-mail" }).click();
  await expect(page).toHaveURL(/\/login\?email=restored$/);
  await expect(page.getByRole("status")).toContainText("Your sign-in e-mail was restored");
  await expect(page.getByRole("status")).toContainText("its tokens stopped working");
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 860 });
    await page.screenshot({ path: `test-results/screens/email-restored-${width}.png` });
  }
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(`/user/${handle}`);
  await expect(page.getByRole("heading", { name: "Sign in to Sluice" })).toBeVisible();
  await requestLink(page, old);
  await page.goto(await linkFor(old, "/login/confirm"));
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(new RegExp(`/user/${handle}$`));
  await page.goto(`/user/${handle}/advanced/profile`);
  await expect(page.getByRole("region", { name: "Sign-in e-mail" })).toContainText(old);
  await expect(page.getByRole("link", { name: "Billing" })).toBeVisible();
  // The undo link works once.
  await page.goto(await linkFor(old, "/email/undo"));
  await expect(page.getByRole("heading", { name: "This link can't be used" })).toBeVisible();
});
