// Every page, light and dark, checked with axe-core: no serious or critical
// violation of WCAG 2.1 A/AA (colour contrast included), with the dialogs
// open as well as closed.
import AxeBuilder from "@axe-core/playwright";
import { expect, Page } from "@playwright/test";
import { hydrated, requestLink, signInLinkFor, signUp, test, uniqueEmail, uniqueHandle } from "./support";

async function audit(page: Page, what: string) {
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const report = bad.map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("\n  ")}`);
  expect(report, `${what}: axe found`).toEqual([]);
}

for (const scheme of ["light", "dark"] as const) {
  test(`every page passes axe (${scheme})`, async ({ page }) => {
    // Every page, twice with a dialog open, each audited: the first journey
    // of a run (a cold server and browser) took 33 s once.
    test.setTimeout(90_000);
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto("/login");
    await audit(page, "sign-in");
    const email = uniqueEmail("a11y");
    await requestLink(page, email);
    await audit(page, "link sent");
    await page.goto(await signInLinkFor(email));
    await audit(page, "sign-up");
    const handle = uniqueHandle("a11y");
    await page.getByLabel("Handle").fill(handle);
    await page.getByLabel("Display Name").fill("Ally Access");
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page).toHaveURL(new RegExp(`/user/${handle}$`));
    // Leave only once the landing page is live: a navigation while it was
    // still fetching its page module left the next page unhydrated once.
    await hydrated(page);

    for (const path of ["", "/activity", "/advanced/profile", "/advanced/usage", "/advanced/billing", "/advanced/credentials", "/advanced/notifications"]) {
      await page.goto(`/user/${handle}${path}`);
      await hydrated(page);
      await audit(page, path || "workspaces");
    }
    await page.goto(`/user/${handle}/advanced/profile`);
    await hydrated(page);
    await page.getByRole("button", { name: "Delete developer account" }).click();
    await expect(page.getByRole("dialog")).toBeVisible();
    await audit(page, "delete dialog");
    await page.keyboard.press("Escape");
    await page.getByRole("button", { name: "Account menu" }).click();
    await audit(page, "account menu");
    await page.keyboard.press("Escape");
    await page.goto("/user/somebody-else");
    await audit(page, "not found");

    // The demo account's Usage and Billing, with a chart and invoices.
    await page.context().clearCookies();
    await requestLink(page, "demo@sluice.localhost");
    await page.goto(await signInLinkFor("demo@sluice.localhost"));
    await page.getByRole("button", { name: /Sign in/ }).click();
    await expect(page).toHaveURL(/\/user\/demo$/);
    for (const path of ["/advanced/usage", "/advanced/billing"]) {
      await page.goto(`/user/demo${path}`);
      await audit(page, `demo ${path}`);
    }
  });
}

test("at 390 px every page fits the width and every settings page is in the menu's sight", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const handle = uniqueHandle("narrow");
  await signUp(page, uniqueEmail("narrow"), handle, "Nora Narrow");
  for (const path of ["", "/activity", "/advanced/profile", "/advanced/usage", "/advanced/billing", "/advanced/credentials", "/advanced/notifications"]) {
    await page.goto(`/user/${handle}${path}`);
    await hydrated(page);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${path || "workspaces"} scrolls sideways`).toBeLessThanOrEqual(0);
  }
  const menu = page.getByRole("navigation", { name: "Advanced" });
  for (const name of ["User Profile", "Usage", "Billing", "Credentials & Access", "Notifications"]) {
    const box = (await menu.getByRole("link", { name }).boundingBox())!;
    expect(box.x, name).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width, name).toBeLessThanOrEqual(390);
  }
});
