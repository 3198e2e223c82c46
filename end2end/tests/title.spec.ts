// While a page goes live, its title stays the one the server rendered:
// sampled every millisecond and every frame from the first title on, the
// document's title never changes (before, it was empty from the app's
// hydration until the route's own code had loaded).
import { expect } from "@playwright/test";
import { requestLink, signInLinkFor, test } from "./support";

test("the title stays as the server drew it while each page hydrates", async ({ page }) => {
  await page.addInitScript(() => {
    const w = window as unknown as { __titles: string[] };
    w.__titles = [];
    const look = () => {
      const t = document.title;
      const seen = w.__titles;
      if ((seen.length > 0 || t !== "") && seen[seen.length - 1] !== t) seen.push(t);
    };
    setInterval(look, 1);
    const frame = () => {
      look();
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
  await requestLink(page, "demo@sluice.localhost");
  await page.goto(await signInLinkFor("demo@sluice.localhost"));
  await page.getByRole("button", { name: /Sign in/ }).click();
  await expect(page).toHaveURL(/\/user\/demo$/);
  for (const [path, title] of [
    ["/user/demo", "Workspaces · Sluice"],
    ["/user/demo/advanced/credentials", "Credentials & Access · Sluice"],
    ["/user/demo/activity", "Audit Log · Sluice"],
    ["/user/demo/advanced/usage", "Usage · Sluice"],
    ["/user/demo/advanced/profile", "User Profile · Sluice"],
  ]) {
    await page.goto(path);
    await page.waitForTimeout(300);
    const titles = await page.evaluate(() => (window as unknown as { __titles: string[] }).__titles);
    expect(titles, path).toEqual([title]);
  }
});
