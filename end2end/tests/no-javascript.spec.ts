// The same sign-in with JavaScript disabled: plain forms, server redirects.
import { expect } from "@playwright/test";
import { signInLinkFor, test, uniqueEmail, uniqueHandle } from "./support";

test.use({ javaScriptEnabled: false });

test("sign up and sign in without JavaScript", async ({ page }) => {
  const email = uniqueEmail("nojs");
  const handle = uniqueHandle("nojs");

  await page.goto("/login");
  await page.getByLabel("E-mail").fill(email);
  await page.getByRole("button", { name: "Send sign-in link" }).click();
  await expect(page.getByRole("heading", { name: "Check your e-mail" })).toBeVisible();

  await page.goto(await signInLinkFor(email));
  await page.getByLabel("Handle").fill(handle);
  await page.getByLabel("Display Name").fill("No Script");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(new RegExp(`/user/${handle}$`));
  await expect(page.getByRole("heading", { name: "No Script" })).toBeVisible();

  // Sign in again on a clean browser.
  await page.context().clearCookies();
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(email);
  await page.getByRole("button", { name: "Send sign-in link" }).click();
  await page.goto(await signInLinkFor(email));
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(new RegExp(`/user/${handle}$`));

  // The Handle form asks first, then posts as a plain form and lands on
  // the new address.
  await page.goto(`/user/${handle}/advanced/profile`);
  const renamed = `${handle}-n`;
  await page.getByLabel("Handle", { exact: true }).fill(renamed);
  await page.locator("form:has(#new_handle)").getByRole("button", { name: "Save" }).click();
  await page.getByRole("button", { name: "Change handle" }).click();
  await expect(page).toHaveURL(new RegExp(`/user/${renamed}/advanced/profile$`));
  await expect(page.getByLabel("Handle", { exact: true })).toHaveValue(renamed);

  // Usage reads without script: the chart is drawn on the server.
  await page.goto(`/user/${renamed}/advanced/usage`);
  await expect(page.getByRole("heading", { name: "Usage", exact: true })).toBeVisible();
});

test("a taken handle is refused with a message, and the link still works", async ({ page }) => {
  const first = uniqueHandle("taken");
  // Someone already has `first`.
  await page.goto("/login");
  const a = uniqueEmail("taken-a");
  await page.getByLabel("E-mail").fill(a);
  await page.getByRole("button", { name: "Send sign-in link" }).click();
  await page.goto(await signInLinkFor(a));
  await page.getByLabel("Handle").fill(first);
  await page.getByLabel("Display Name").fill("First");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { name: "First" })).toBeVisible();
  await page.context().clearCookies();

  const b = uniqueEmail("taken-b");
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(b);
  await page.getByRole("button", { name: "Send sign-in link" }).click();
  const link = await signInLinkFor(b);
  await page.goto(link);
  await page.getByLabel("Handle").fill(first);
  await page.getByLabel("Display Name").fill("Second");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("alert")).toContainText("is taken");
  await page.getByLabel("Handle").fill(uniqueHandle("second"));
  await page.getByLabel("Display Name").fill("Second");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { name: "Second" })).toBeVisible();
});

test("delete the account without JavaScript", async ({ page }) => {
  const email = uniqueEmail("nojs-del");
  const handle = uniqueHandle("nojs-del");
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(email);
  await page.getByRole("button", { name: "Send sign-in link" }).click();
  await page.goto(await signInLinkFor(email));
  await page.getByLabel("Handle").fill(handle);
  await page.getByLabel("Display Name").fill("No Script");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(new RegExp(`/user/${handle}$`));

  await page.goto(`/user/${handle}/advanced/profile`);
  const section = page.getByRole("region", { name: "Delete developer account" });
  await section.getByRole("button", { name: "Delete developer account" }).click();
  await section.getByLabel(`Type ${handle} to confirm`).fill(handle);
  await section.getByRole("button", { name: "Delete", exact: true }).click();
  await expect(page).toHaveURL(/\/login\?deleted=1$/);
  await expect(page.getByRole("status")).toContainText("Your developer account was deleted.");
});
