// Pictures of every page at desktop and phone widths, for people to look at.
import { hydrated, requestLink, signInLinkFor, signUp, test, uniqueEmail, uniqueHandle } from "./support";

const widths = [1280, 390];

test("screenshots of every page", async ({ page }) => {
  const out = (name: string, w: number) => `test-results/screens/${name}-${w}.png`;
  const email = uniqueEmail("shot");
  const handle = uniqueHandle("shot");
  for (const w of widths) {
    await page.setViewportSize({ width: w, height: 860 });
    await page.goto("/login");
    await page.screenshot({ path: out("login", w), fullPage: true });
  }
  await requestLink(page, email);
  for (const w of widths) {
    await page.setViewportSize({ width: w, height: 860 });
    await page.screenshot({ path: out("login-sent", w), fullPage: true });
  }
  await page.goto(await signInLinkFor(email));
  for (const w of widths) {
    await page.setViewportSize({ width: w, height: 860 });
    await page.screenshot({ path: out("sign-up", w), fullPage: true });
  }
  await page.getByLabel("Handle").fill(handle);
  await page.getByLabel("Display Name").fill("Ada Lovelace");
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByRole("heading", { name: "Ada Lovelace" }).waitFor();
  const pages: [string, string][] = [
    ["workspaces", `/user/${handle}`],
    ["activity", `/user/${handle}/activity`],
    ["profile", `/user/${handle}/advanced/profile`],
    ["credentials", `/user/${handle}/advanced/credentials`],
    ["usage-empty", `/user/${handle}/advanced/usage`],
    ["billing-new", `/user/${handle}/advanced/billing`],
    ["not-found", `/user/someone-else`],
  ];
  for (const [name, url] of pages) {
    for (const w of widths) {
      await page.setViewportSize({ width: w, height: 860 });
      await page.goto(url);
      await page.screenshot({ path: out(name, w), fullPage: true });
    }
  }
  await page.emulateMedia({ colorScheme: "dark" });
  for (const w of widths) {
    await page.setViewportSize({ width: w, height: 860 });
    await page.goto(`/user/${handle}/advanced/profile`);
    await page.screenshot({ path: out("profile-dark", w), fullPage: true });
  }
  await page.emulateMedia({ colorScheme: "light" });
  for (const w of widths) {
    await page.setViewportSize({ width: w, height: 860 });
    await page.goto(`/user/${handle}`);
    await hydrated(page);
    await page.getByRole("button", { name: "Account menu" }).click();
    await page.screenshot({ path: out("account-menu", w) });
    await page.keyboard.press("Escape");
  }
  await page.context().clearCookies();
  await requestLink(page, email);
  await page.goto(await signInLinkFor(email));
  for (const w of widths) {
    await page.setViewportSize({ width: w, height: 860 });
    await page.screenshot({ path: out("sign-in", w), fullPage: true });
  }
});
