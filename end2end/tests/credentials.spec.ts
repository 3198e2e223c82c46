// Credentials & Access › Database Password and Reset Authentication:
// rotating changes the revealed connection string and every workspace
// ends up updated; resetting signs out this browser and every other one.
import { expect } from "@playwright/test";
import { dbPort } from "../playwright.config";
import { requestLink, signInLinkFor, signUp, test, uniqueEmail, uniqueHandle } from "./support";

test.use({ permissions: ["clipboard-read", "clipboard-write"] });

test("rotate the database password", async ({ page }) => {
  const handle = uniqueHandle("pw");
  await signUp(page, uniqueEmail("pw"), handle, "Pat Words");
  await page.goto(`/user/${handle}/advanced/credentials`);
  const section = page.getByRole("region", { name: "Database Password" });
  const row = section.getByRole("listitem").filter({ hasText: "default" });
  const code = row.getByTestId("connection-string");
  await expect(row).toContainText("Updated");
  // Masked until Reveal; the password is not in the page before.
  await expect(code).toContainText("••••");
  await row.getByRole("button", { name: "Reveal" }).click();
  const pattern = new RegExp(
    `^postgres://${handle}:[A-Za-z0-9]{32}@default-${handle}\\.us-east-1\\.db\\.[a-z.]+:${dbPort}/[a-z0-9]+\\?sslmode=require$`,
  );
  await expect(code).toHaveText(pattern);
  const before = (await code.textContent())!;
  await row.getByRole("button", { name: "Copy", exact: true }).click();
  await expect(row.getByRole("status")).toHaveText("Copied to the clipboard.");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(before);

  await section.getByRole("button", { name: "Rotate Password" }).click();
  const dialog = page.getByRole("dialog", { name: "Rotate database password?" });
  await expect(dialog).toContainText("Existing connections will not be terminated");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(code).toHaveText(before);

  await section.getByRole("button", { name: "Rotate Password" }).click();
  await dialog.getByRole("button", { name: "Rotate Password" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(row).toContainText("Updated", { timeout: 15_000 });
  await expect(section.getByText("This may take a couple of minutes")).toBeHidden();
  await row.getByRole("button", { name: "Reveal" }).click();
  await expect(code).toHaveText(pattern);
  expect(await code.textContent()).not.toBe(before);
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `test-results/screens/credentials-password-${width}.png`, fullPage: true });
  }
});

test("reset authentication signs out every browser and stops tokens", async ({ page, browser }) => {
  const handle = uniqueHandle("rst");
  const email = uniqueEmail("rst");
  await signUp(page, email, handle, "Reese Tokens");
  await page.goto(`/user/${handle}/advanced/credentials`);
  await page.getByRole("button", { name: "New Token" }).click();
  await page.getByRole("dialog", { name: "New Token" }).getByRole("button", { name: "Create token" }).click();
  await page.getByRole("region", { name: "New token" }).getByRole("button", { name: "Reveal" }).click();
  const token = (await page.getByTestId("new-token").textContent())!;

  // A second browser, signed in to the same account.
  const other = await browser.newContext();
  const second = await other.newPage();
  await requestLink(second, email);
  await second.goto(await signInLinkFor(email));
  await second.getByRole("button", { name: "Sign in" }).click();
  await expect(second).toHaveURL(new RegExp(`/user/${handle}$`));

  const section = page.getByRole("region", { name: "Reset Authentication" });
  await section.getByRole("button", { name: "Reset authentication" }).click();
  const dialog = page.getByRole("dialog", { name: "Reset authentication?" });
  await expect(dialog).toContainText("signs you out here and in every other browser");
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `test-results/screens/credentials-reset-${width}.png` });
  }
  await page.setViewportSize({ width: 1280, height: 720 });
  await dialog.getByRole("button", { name: "Reset authentication" }).click();
  await expect(page).toHaveURL(/\/login\?reset=1$/);
  await expect(page.getByText(/Authentication was reset/)).toBeVisible();

  // This browser and the other one are signed out; the token is refused.
  await page.goto(`/user/${handle}`);
  await expect(page).toHaveURL(/\/login\?next=/);
  await second.goto(`/user/${handle}/advanced/credentials`);
  await expect(second).toHaveURL(/\/login\?next=/);
  const res = await page.request.get(`/api/v0/user/${handle}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(res.status()).toBe(401);
  await other.close();
});
