// Tokens with a name, an expiration and an access level: a Read only token
// made for 30 days lists as such and reads the API but changes nothing; a
// token whose expiry passed is refused, listed as Expired, and no longer
// counts toward the cap of two.
import { expect, type Page } from "@playwright/test";
import { hydrated, signUp, test, uniqueEmail, uniqueHandle } from "./support";

async function newToken(page: Page, name: string, expiration: string, access: "Full access" | "Read only") {
  await page.getByRole("button", { name: "New Token" }).click();
  const dialog = page.getByRole("dialog", { name: "New Token" });
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByLabel("Expiration").selectOption({ label: expiration });
  await dialog.getByRole("radio", { name: new RegExp(`^${access}`) }).check();
  return dialog;
}

test("a read-only token reads and cannot change; an expired token is refused and frees its place", async ({ page }) => {
  const handle = uniqueHandle("acc");
  await signUp(page, uniqueEmail("acc"), handle, "Ann Access");
  await page.goto(`/user/${handle}/advanced/credentials`);
  await hydrated(page);

  const dialog = await newToken(page, "Dashboards", "30 days", "Read only");
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await dialog.screenshot({ path: `test-results/screens/token-new-${width}.png` });
  }
  await page.setViewportSize({ width: 1280, height: 720 });
  await dialog.getByRole("button", { name: "Create token" }).click();
  const readOnly = (await page.getByTestId("new-token").textContent({ timeout: 10_000 }))!;
  await page.getByRole("region", { name: "New token" }).getByRole("button", { name: "Reveal" }).click();
  const secret = (await page.getByTestId("new-token").textContent())!.trim();
  expect(secret).toMatch(/^spt_[0-9a-v]{20}_[0-9a-v]{52}$/);
  expect(readOnly).not.toContain(secret.slice(25));

  const rows = page.getByRole("row").filter({ has: page.getByRole("button", { name: "Options" }) });
  const dashboards = rows.filter({ hasText: "Dashboards" });
  await expect(dashboards).toContainText("Read only");
  await expect(dashboards).toContainText("Active");
  const in30 = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  await expect(dashboards).toContainText(in30);

  const api = (method: string, path: string, token: string, data?: unknown) =>
    page.request.fetch(`/api/v0${path}`, { method, headers: { Authorization: `Bearer ${token}` }, data });
  expect((await api("GET", "/actor", secret)).status()).toBe(200);
  expect((await api("GET", `/user/${handle}/audit_log`, secret)).status()).toBe(200);
  const refused = await api("PATCH", `/user/${handle}`, secret, { display_name: "Changed" });
  expect(refused.status()).toBe(403);
  expect((await refused.json()).detail).toContain("Read only");
  await expect(page.getByRole("banner")).toContainText("Ann Access");

  // A full token, then the read-only one goes.
  await (await newToken(page, "Deploys", "No expiration", "Full access")).getByRole("button", { name: "Create token" }).click();
  await page.getByRole("region", { name: "New token" }).getByRole("button", { name: "Reveal" }).click();
  const full = (await page.getByTestId("new-token").textContent())!.trim();
  await expect(rows.filter({ hasText: "Deploys" })).toContainText("Never");
  await expect(page.getByRole("button", { name: "New Token" })).toBeDisabled();
  await dashboards.getByRole("button", { name: "Options" }).click();
  await page.getByRole("menuitem", { name: "Delete" }).click();
  await page.getByRole("dialog", { name: "Delete token?" }).getByRole("button", { name: "Delete" }).click();
  await expect(dashboards).toHaveCount(0);

  // Through the API, a token that expires in two seconds.
  const made = await api("POST", `/user/${handle}/token`, full, {
    title: "Short-lived",
    expires_at: new Date(Date.now() + 2_000).toISOString(),
  });
  expect(made.status()).toBe(201);
  const short = (await made.json()).token as string;
  expect((await api("GET", "/actor", short)).status()).toBe(200);
  await page.waitForTimeout(2_500);
  expect((await api("GET", "/actor", short)).status()).toBe(401);
  await page.reload();
  await hydrated(page);
  const expired = rows.filter({ hasText: "Short-lived" });
  await expect(expired).toContainText("Expired");
  // Two rows, one of them expired: New Token works, and a third row comes.
  await expect(page.getByRole("button", { name: "New Token" })).toBeEnabled();
  await (await newToken(page, "Replacement", "7 days", "Full access")).getByRole("button", { name: "Create token" }).click();
  await expect(rows).toHaveCount(3);
  await expect(page.getByRole("button", { name: "New Token" })).toBeDisabled();
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.getByRole("region", { name: "Tokens" }).screenshot({ path: `test-results/screens/tokens-access-${width}.png` });
  }
});
