// Passkeys in Chromium's virtual authenticator (the DevTools protocol's
// WebAuthn domain, no hardware): add one on Credentials & Access, sign out,
// Sign in with a passkey lands on the account page without any e-mail;
// remove it and a passkey sign-in is refused. Once with the mouse, once
// with the keyboard alone.
import { expect } from "@playwright/test";
import * as fs from "node:fs";
import * as path from "node:path";
import { dataDir } from "../playwright.config";
import { hydrated, signUp, tabTo, test, uniqueEmail, uniqueHandle, virtualAuthenticator } from "./support";

function mailCount(): number {
  const outbox = path.join(dataDir, "outbox");
  return fs.existsSync(outbox) ? fs.readdirSync(outbox).length : 0;
}

test("add a passkey, sign in with it without e-mail, remove it: then it is refused", async ({ page }) => {
  const handle = uniqueHandle("pk");
  await signUp(page, uniqueEmail("pk"), handle, "Pat Keys");
  const { cdp, id } = await virtualAuthenticator(page);

  await page.goto(`/user/${handle}/advanced/credentials`);
  await hydrated(page);
  const section = page.getByRole("region", { name: "Passkeys" });
  await expect(section.getByText("No passkeys yet")).toBeVisible();
  await section.getByRole("button", { name: "Add a passkey" }).click();
  const dialog = page.getByRole("dialog", { name: "Add a passkey" });
  // A name is needed first.
  await dialog.getByRole("button", { name: "Create passkey" }).click();
  await expect(dialog.getByLabel("Passkey name")).toBeFocused();
  await dialog.getByLabel("Passkey name").fill("Work laptop");
  await dialog.getByRole("button", { name: "Create passkey" }).click();
  await expect(section.getByRole("status")).toContainText('Passkey "Work laptop" added');
  await expect(dialog).toHaveCount(0);
  const row = section.getByRole("listitem").filter({ hasText: "Work laptop" });
  await expect(row).toContainText("Last used");
  await expect(row).toContainText("Never");
  // The authenticator keeps it (a discoverable credential), for this site.
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId: id });
  expect(credentials).toHaveLength(1);
  expect(credentials[0].isResidentCredential).toBe(true);
  expect(credentials[0].rpId).toBe("localhost");
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await section.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `test-results/screens/passkeys-${width}.png` });
  }
  await page.setViewportSize({ width: 1280, height: 720 });

  await page.getByRole("button", { name: "Account menu" }).click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login\?signed_out=1$/);
  await hydrated(page);
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 860 });
    await page.screenshot({ path: `test-results/screens/login-passkey-${width}.png` });
  }
  await page.setViewportSize({ width: 1280, height: 720 });
  const mails = mailCount();
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page).toHaveURL(new RegExp(`/user/${handle}$`));
  await expect(page.getByRole("heading", { name: "Pat Keys" })).toBeVisible();
  expect(mailCount(), "no e-mail was needed").toBe(mails);

  // The Audit Log says how.
  await page.goto(`/user/${handle}/activity`);
  await expect(page.getByRole("row").filter({ hasText: "Added a passkey" })).toContainText("name: Work laptop");
  await expect(page.getByRole("row").filter({ hasText: "method: passkey" })).toContainText("Signed in");

  await page.goto(`/user/${handle}/advanced/credentials`);
  await hydrated(page);
  await expect(row).not.toContainText("Never");
  await row.getByRole("button", { name: "Remove Work laptop" }).click();
  const remove = page.getByRole("dialog", { name: "Remove passkey?" });
  await expect(remove).toContainText("will no longer sign in");
  await remove.getByRole("button", { name: "Remove passkey" }).click();
  await expect(section.getByRole("status")).toContainText("The passkey was removed");
  await expect(section.getByText("No passkeys yet")).toBeVisible();

  await page.getByRole("button", { name: "Account menu" }).click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await hydrated(page);
  // The device still offers it; Sluice no longer takes it.
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page.getByRole("alert")).toContainText("does not belong to a Sluice account");
  await expect(page).toHaveURL(/\/login/);
  await page.goto(`/user/${handle}`);
  await expect(page.getByRole("heading", { name: "Sign in to Sluice" })).toBeVisible();
});

test("the passkey journey with the keyboard alone", async ({ page }) => {
  const handle = uniqueHandle("pkk");
  await signUp(page, uniqueEmail("pkk"), handle, "Kay Board");
  await virtualAuthenticator(page);
  await page.goto(`/user/${handle}/advanced/credentials`);
  await hydrated(page);
  const section = page.getByRole("region", { name: "Passkeys" });

  await tabTo(page, section.getByRole("button", { name: "Add a passkey" }));
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: "Add a passkey" });
  await expect(dialog.getByLabel("Passkey name")).toBeFocused();
  await page.keyboard.type("Desk key");
  await page.keyboard.press("Enter");
  await expect(section.getByRole("status")).toContainText('Passkey "Desk key" added');

  const menu = page.getByRole("button", { name: "Account menu" });
  const signOut = async () => {
    await tabTo(page, menu);
    await page.keyboard.press("Enter");
    await expect(page.getByRole("menuitem", { name: "Your Profile" })).toBeFocused();
    await page.keyboard.press("ArrowDown");
    await expect(page.getByRole("menuitem", { name: "Sign out" })).toBeFocused();
    await page.keyboard.press("Enter");
  };
  await signOut();
  await expect(page).toHaveURL(/\/login\?signed_out=1$/);
  await hydrated(page);
  await tabTo(page, page.getByRole("button", { name: "Sign in with a passkey" }));
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/user/${handle}$`));

  await page.goto(`/user/${handle}/advanced/credentials`);
  await hydrated(page);
  await tabTo(page, section.getByRole("button", { name: "Remove Desk key" }));
  await page.keyboard.press("Enter");
  const remove = page.getByRole("dialog", { name: "Remove passkey?" });
  await expect(remove.getByRole("button", { name: "Cancel" })).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(remove.getByRole("button", { name: "Remove passkey" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(section.getByText("No passkeys yet")).toBeVisible();

  await signOut();
  await expect(page).toHaveURL(/\/login\?signed_out=1$/);
  await hydrated(page);
  await tabTo(page, page.getByRole("button", { name: "Sign in with a passkey" }));
  await page.keyboard.press("Enter");
  await expect(page.locator(".passkey-sign-in")).toContainText("does not belong to a Sluice account");
  await expect(page).toHaveURL(/\/login/);
});

test("at an IP address the page says why passkeys are unavailable", async ({ page, baseURL }) => {
  const at = new URL(baseURL!);
  await page.goto(`http://127.0.0.1:${at.port}/login`);
  await hydrated(page);
  await expect(page.getByRole("button", { name: "Sign in with a passkey" })).toBeDisabled();
  await expect(page.getByRole("note")).toContainText("opened at an IP address");
});
