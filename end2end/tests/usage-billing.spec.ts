// Usage: the demo account's history as a chart with its data table and a
// table per workspace, period by period. Billing: plan, estimate and
// invoices for a developer account; none at all for a tenant member.
import { expect } from "@playwright/test";
import { requestLink, signInLinkFor, signUp, test, uniqueEmail, uniqueHandle } from "./support";

test("Usage shows the chart and the table; Billing prices it", async ({ page }) => {
  await requestLink(page, "demo@sluice.localhost");
  await page.goto(await signInLinkFor("demo@sluice.localhost"));
  await page.getByRole("button", { name: /Sign in/ }).click();
  await expect(page).toHaveURL(/\/user\/demo$/);
  await page.goto("/user/demo/advanced/profile");
  await page.getByRole("navigation", { name: "Advanced" }).getByRole("link", { name: "Usage" }).click();
  await expect(page).toHaveURL(/\/user\/demo\/advanced\/usage$/);

  const periods = page.getByRole("navigation", { name: "Billing period" }).getByRole("link");
  await expect(periods).toHaveCount(3);
  // The period before this one: every day of it, from the demo account's
  // generated history, which the page calls a sample (from today on the
  // figures are measured, so the current period may still be empty).
  await periods.nth(1).click();
  await expect(periods.nth(1)).toHaveAttribute("aria-current", "page");
  await expect(page.getByRole("note")).toContainText("generated sample");
  const compute = page.getByRole("img", { name: /^Compute time: one bar per day/ });
  await expect(compute).toBeVisible();
  const bars = compute.locator("rect.chart-bar");
  expect(await bars.count()).toBeGreaterThanOrEqual(28);
  const table = page.getByRole("table", { name: "Compute time per day" });
  await expect(table.getByRole("row")).toHaveCount((await bars.count()) + 1);
  await expect(page.getByRole("table", { name: "By workspace" }).getByRole("row", { name: /^default / })).toBeVisible();
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `test-results/screens/usage-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 720 });

  await page.getByRole("navigation", { name: "Advanced" }).getByRole("link", { name: "Billing" }).click();
  await expect(page.getByRole("heading", { name: "Billing", exact: true })).toBeVisible();
  await expect(page.locator(".stat").filter({ hasText: "Plan" })).toContainText("Developer");
  await expect(page.getByRole("note")).toContainText("generated sample");
  await expect(page.getByRole("heading", { name: /^Estimate for / })).toBeVisible();
  await expect(page.getByRole("table", { name: "Invoices, newest first" }).getByRole("row")).toHaveCount(3);
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `test-results/screens/billing-${width}.png`, fullPage: true });
  }
});

test("a tenant member's Usage Thresholds are read-only, and it has no Billing", async ({ page }) => {
  const handle = uniqueHandle("ten");
  await signUp(page, `${handle}@tenant.example`, handle, "Tess Tenant");
  await page.goto(`/user/${handle}/advanced/usage`);
  await expect(page.getByRole("heading", { name: "Usage", exact: true })).toBeVisible();
  const thresholds = page.getByRole("region", { name: "Usage Thresholds" });
  await expect(thresholds.getByRole("note")).toContainText("manages this account's usage");
  await expect(thresholds.getByLabel("Compute time threshold, in hours")).toBeDisabled();
  await expect(thresholds.getByRole("button", { name: "Save thresholds" })).toHaveCount(0);
  const menu = page.getByRole("navigation", { name: "Advanced" });
  await expect(menu.getByRole("link", { name: "Usage" })).toBeVisible();
  await expect(menu.getByRole("link", { name: "Billing" })).toHaveCount(0);
  const res = await page.goto(`/user/${handle}/advanced/billing`);
  expect(res?.status()).toBe(404);
  await expect(page.getByText("which manages its billing")).toBeVisible();
  await page.screenshot({ path: `test-results/screens/billing-tenant-1280.png` });

  // A developer account beside it has the menu item.
  await page.context().clearCookies();
  const dev = uniqueHandle("dev");
  await signUp(page, uniqueEmail("dev"), dev, "Dev Eloper");
  await page.goto(`/user/${dev}/advanced/profile`);
  await expect(page.getByRole("navigation", { name: "Advanced" }).getByRole("link", { name: "Billing" })).toBeVisible();
});
