// Notifications: each switch saves at once and survives a reload; System
// is on and cannot be switched; a failed save puts the switch back.
import { expect } from "@playwright/test";
import { signUp, test, uniqueEmail, uniqueHandle } from "./support";

test("toggle each notification type, reload, and see System locked on", async ({ page }) => {
  const handle = uniqueHandle("ntf");
  await signUp(page, uniqueEmail("ntf"), handle, "Nora Tify");
  await page.goto(`/user/${handle}/advanced/profile`);
  await page.getByRole("navigation", { name: "Advanced" }).getByRole("link", { name: "Notifications" }).click();
  await expect(page).toHaveURL(new RegExp(`/user/${handle}/advanced/notifications$`));

  const types = ["Community Updates", "Product Updates", "Tips & Tricks"];
  for (const name of types) {
    const toggle = page.getByRole("switch", { name });
    await expect(toggle).toBeChecked();
    await toggle.click();
    await expect(page.getByRole("status").filter({ hasText: `${name} turned off. Saved.` })).toBeVisible();
    await expect(toggle).not.toBeChecked();
  }
  const system = page.getByRole("switch", { name: "System" });
  await expect(system).toBeChecked();
  await expect(system).toBeDisabled();
  await expect(page.getByText("System notifications cannot be disabled.")).toBeVisible();
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 800 });
    await page.screenshot({ path: `test-results/screens/notifications-${width}.png` });
  }
  await page.setViewportSize({ width: 1280, height: 720 });

  await page.reload();
  for (const name of types) {
    await expect(page.getByRole("switch", { name })).not.toBeChecked();
  }
  // Back on, from the keyboard.
  await page.getByRole("switch", { name: "Product Updates" }).focus();
  await page.keyboard.press("Space");
  await expect(page.getByRole("status").filter({ hasText: "Product Updates turned on. Saved." })).toBeVisible();

  // A save that fails: the switch goes back and the page says so.
  await page.route("**/sfn/set_preference", (route) => route.fulfill({ status: 500, body: "{}" }));
  const tips = page.getByRole("switch", { name: "Tips & Tricks" });
  await tips.click();
  await expect(page.getByRole("alert").filter({ hasText: "Tips & Tricks was not saved and is back as it was" })).toBeVisible();
  await expect(tips).not.toBeChecked();
  await page.unroute("**/sfn/set_preference");
  await page.reload();
  await expect(page.getByRole("switch", { name: "Product Updates" })).toBeChecked();
  await expect(tips).not.toBeChecked();
});
