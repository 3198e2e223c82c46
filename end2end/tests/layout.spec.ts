// No page lays out wider than a phone's screen at any moment of its load:
// the widest the document gets is sampled on every frame from the first
// one until well after the page is live, with the processor slowed down
// so that the moments before hydration last.
import { expect } from "@playwright/test";
import { signInLinkFor, signUp, test, uniqueEmail, uniqueHandle } from "./support";

const WIDTH = 390;

test("every account page stays within 390 px while it loads and hydrates", async ({ page, context }) => {
  const handle = uniqueHandle("narrow");
  await signUp(page, uniqueEmail("narrow"), handle, "Nora Narrow");
  await page.setViewportSize({ width: WIDTH, height: 844 });
  // Each document records the widest it became and when, frame by frame.
  await context.addInitScript(() => {
    const w = window as unknown as { widest: number; widestAt: string };
    w.widest = 0;
    w.widestAt = "";
    const sample = () => {
      const el = document.documentElement;
      if (el && el.scrollWidth > w.widest) {
        w.widest = el.scrollWidth;
        const wide = [...document.querySelectorAll("body *")].find(
          (e) => e.getBoundingClientRect().right > window.innerWidth + 1,
        );
        w.widestAt = `${document.body?.hasAttribute("data-hydrated") ? "live" : "before hydration"}: ${
          wide ? `${wide.tagName.toLowerCase()}.${wide.className}` : "?"
        }`;
      }
      requestAnimationFrame(sample);
    };
    requestAnimationFrame(sample);
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 6 });
  const pages = [
    `/user/${handle}`,
    `/user/${handle}/activity`,
    `/user/${handle}/advanced/profile`,
    `/user/${handle}/advanced/usage`,
    `/user/${handle}/advanced/billing`,
    `/user/${handle}/advanced/credentials`,
    `/user/${handle}/advanced/notifications`,
  ];
  for (const url of pages) {
    await page.goto(url);
    await page.locator("body[data-hydrated]").waitFor({ state: "attached", timeout: 30_000 });
    await page.waitForTimeout(500);
    const [widest, at] = await page.evaluate(() => {
      const w = window as unknown as { widest: number; widestAt: string };
      return [w.widest, w.widestAt] as const;
    });
    expect(widest, `${url} was ${widest} px wide (${at})`).toBeLessThanOrEqual(WIDTH);
  }
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
});

test("a confirmation opened without script stays on a phone's screen", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: WIDTH, height: 844 } });
  const page = await context.newPage();
  const email = uniqueEmail("narrow-nojs");
  const handle = uniqueHandle("narrow-nojs");
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(email);
  await page.getByRole("button", { name: "Send sign-in link" }).click();
  await page.goto(await signInLinkFor(email));
  await page.getByLabel("Handle").fill(handle);
  await page.getByLabel("Display Name").fill("Nora Narrow");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(new RegExp(`/user/${handle}$`));
  const checks: [string, string, string][] = [
    [`/user/${handle}/advanced/credentials`, "Rotate Password", "Rotate Password?"],
    [`/user/${handle}/advanced/credentials`, "Reset authentication", "Reset authentication?"],
    [`/user/${handle}`, "Delete default", "Delete default?"],
    [`/user/${handle}/advanced/profile`, "Delete developer account", "Delete developer account?"],
  ];
  for (const [url, opener, question] of checks) {
    await page.goto(url);
    await page.getByRole("button", { name: opener, exact: true }).click();
    const box = (await page.getByRole("group", { name: question }).boundingBox())!;
    expect(box.x, `${opener}: left edge`).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width, `${opener}: right edge`).toBeLessThanOrEqual(WIDTH);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(WIDTH);
  }
  await page.screenshot({ path: "test-results/screens/nojs-confirm-390.png", fullPage: true });
  await context.close();
});
