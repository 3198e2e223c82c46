// Credentials & Access › Tokens: create two (the third is refused), Reveal
// and Copy once, only the masked form afterwards, Deactivate (the API then
// refuses the token), Delete.
import { expect } from "@playwright/test";
import { signUp, test, uniqueEmail, uniqueHandle } from "./support";

test.use({ permissions: ["clipboard-read", "clipboard-write"] });

test("create, reveal, copy, deactivate and delete tokens", async ({ page }) => {
  const handle = uniqueHandle("tok");
  await signUp(page, uniqueEmail("tok"), handle, "Token Owner");
  await page.getByRole("link", { name: "Advanced" }).click();
  await page.getByRole("link", { name: "Credentials & Access" }).click();
  await expect(page).toHaveURL(new RegExp(`/user/${handle}/advanced/credentials$`));
  await expect(page.getByText("You have no tokens yet.")).toBeVisible();

  await page.getByRole("button", { name: "New Token" }).click();
  await page.getByRole("dialog", { name: "New Token" }).getByRole("button", { name: "Create token" }).click();
  const fresh = page.getByRole("region", { name: "New token" });
  await expect(fresh).toContainText("You will not be able to retrieve it again.");
  const code = page.getByTestId("new-token");
  await expect(code).not.toContainText(/spt_[0-9a-v]{20}_/);
  await fresh.getByRole("button", { name: "Reveal" }).click();
  await expect(code).toHaveText(/^spt_[0-9a-v]{20}_[0-9a-v]{52}$/);
  const secret = (await code.textContent())!;
  await fresh.getByRole("button", { name: "Copy" }).click();
  await expect(fresh.getByRole("status")).toHaveText("Copied to the clipboard.");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
  const rows = page.getByRole("row").filter({ has: page.getByRole("button", { name: "Options" }) });
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(`spt_…${secret.slice(-4)}`);

  await page.getByRole("button", { name: "New Token" }).click();
  await page.getByRole("dialog", { name: "New Token" }).getByRole("button", { name: "Create token" }).click();
  await expect(rows).toHaveCount(2);
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 860 });
    await page.screenshot({ path: `test-results/screens/tokens-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 720 });
  // Two is the most: the button says why it is disabled.
  await expect(page.getByRole("button", { name: "New Token" })).toBeDisabled();
  await expect(page.getByText("You have 2 tokens, the most you can have.")).toBeVisible();

  // Leave and return: only the masked forms remain.
  await page.getByRole("link", { name: "User Profile" }).click();
  await page.getByRole("link", { name: "Credentials & Access" }).click();
  await expect(page.getByRole("region", { name: "New token" })).toHaveCount(0);
  await expect(rows).toHaveCount(2);
  expect(await page.content()).not.toContain(secret.slice(25));

  // The token opens the API until it is deactivated.
  const api = (token: string) =>
    page.request.get(`/api/v0/user/${handle}`, { headers: { Authorization: `Bearer ${token}` } });
  const before = await api(secret);
  expect(before.status()).toBe(200);
  expect((await before.json()).handle).toBe(handle);
  const first = rows.filter({ hasText: secret.slice(-4) });
  await first.getByRole("button", { name: "Options" }).click();
  await page.getByRole("menuitem", { name: "Deactivate" }).click();
  await expect(first).toContainText("Inactive");
  const after = await api(secret);
  expect(after.status()).toBe(401);
  expect((await after.json()).status).toBe(401);

  await first.getByRole("button", { name: "Options" }).click();
  await page.getByRole("menuitem", { name: "Delete" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete token?" });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(rows).toHaveCount(2);
  await first.getByRole("button", { name: "Options" }).click();
  await page.getByRole("menuitem", { name: "Delete" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
  await expect(rows).toHaveCount(1);
  await expect(page.getByRole("button", { name: "New Token" })).toBeEnabled();
});
