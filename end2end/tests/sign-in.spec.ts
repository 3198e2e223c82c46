// The first journey: sign up through the mailed link, find Your Profile
// in the account menu, sign out, and find the account closed to you.
import { expect } from "@playwright/test";
import { requestLink, signInLinkFor, signUp, test, uniqueEmail, uniqueHandle } from "./support";

test("sign up, open Your Profile, sign out", async ({ page }) => {
  const email = uniqueEmail("ada");
  const handle = uniqueHandle("ada");
  await signUp(page, email, handle, "Ada Lovelace");

  // Every account has a generated avatar from the start, and it loads.
  const avatar = page.getByRole("banner").locator("img.avatar");
  await expect(avatar).toHaveAttribute("src", /^\/avatar\/u_[0-9a-v]{20}\.svg$/);
  await expect.poll(() => avatar.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);

  // The first workspace is there from the start.
  await expect(page.getByText(`default-${handle}.us-east-1.db.sluice.localhost`, { exact: true })).toBeVisible();

  await page.getByRole("button", { name: "Account menu" }).click();
  await expect(page.getByRole("menu")).toBeVisible();
  await page.getByRole("menuitem", { name: "Your Profile" }).click();
  await expect(page).toHaveURL(new RegExp(`/user/${handle}/advanced/profile$`));
  await expect(page.getByRole("heading", { name: "User Profile" })).toBeVisible();
  await expect(page.getByRole("main").getByText(email)).toBeVisible();

  await page.getByRole("button", { name: "Account menu" }).click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login\?signed_out=1$/);
  await expect(page.getByText("You have signed out.")).toBeVisible();

  await page.goto(`/user/${handle}/advanced/profile`);
  await expect(page).toHaveURL(new RegExp(`/login\\?next=/user/${handle}/advanced/profile$`));
  await expect(page.getByRole("heading", { name: "Sign in to Sluice" })).toBeVisible();
});

test("signing in again returns to the page asked for", async ({ page }) => {
  const email = uniqueEmail("grace");
  const handle = uniqueHandle("grace");
  await signUp(page, email, handle, "Grace Hopper");
  await page.context().clearCookies();

  await page.goto(`/user/${handle}/activity`);
  await expect(page).toHaveURL(/\/login\?next=/);
  await page.getByLabel("E-mail").fill(email);
  await page.getByRole("button", { name: "Send sign-in link" }).click();
  await expect(page.getByRole("heading", { name: "Check your e-mail" })).toBeVisible();
  await page.goto(await signInLinkFor(email));
  await expect(page.getByRole("heading", { name: "Welcome back" })).toBeVisible();
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(new RegExp(`/user/${handle}/activity$`));
  await expect(page.getByRole("cell", { name: /Signed in/ }).first()).toBeVisible();
});

test("the account switcher lists the developer account", async ({ page }) => {
  const handle = uniqueHandle("lin");
  await signUp(page, uniqueEmail("lin"), handle, "Lin Clark");
  await page.getByRole("button", { name: "Switch account" }).click();
  const item = page.getByRole("menuitem", { name: /Lin Clark/ });
  await expect(item).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("menu")).toBeHidden();
});

test("a used link gets a clear page", async ({ page }) => {
  const email = uniqueEmail("once");
  await requestLink(page, email);
  const link = await signInLinkFor(email);
  await page.goto(link);
  await page.getByLabel("Handle").fill(uniqueHandle("once"));
  await page.getByLabel("Display Name").fill("Once Only");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { name: "Once Only" })).toBeVisible();
  await page.goto(link);
  await expect(page.getByRole("heading", { name: "This link can't be used" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Request a new link" })).toBeVisible();
});

test("handle feedback appears while typing", async ({ page }) => {
  const email = uniqueEmail("typing");
  await requestLink(page, email);
  await page.goto(await signInLinkFor(email));
  await page.getByLabel("Handle").fill("Bad Handle");
  await expect(page.getByText("Use lowercase letters, digits and single hyphens")).toBeVisible();
  await page.getByLabel("Handle").fill("admin");
  await expect(page.getByText("is reserved")).toBeVisible();
});

test("what is typed before the page goes live stays when it does", async ({ context }) => {
  const email = uniqueEmail("early");
  const handle = uniqueHandle("early");
  // A page of its own: navigations here do not wait for hydration.
  const page = await context.newPage();
  await requestLink(page, email);
  const link = await signInLinkFor(email);
  // The page's script arrives only once the person has typed.
  let release!: () => void;
  const typed = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/pkg/*.wasm", async (route) => {
    await typed;
    await route.continue();
  });
  await page.goto(link, { waitUntil: "domcontentloaded" });
  await page.getByLabel("Handle").fill(handle);
  await page.getByLabel("Display Name").fill("Early Bird");
  expect(await page.locator("body[data-hydrated]").count()).toBe(0);
  release();
  await page.locator("body[data-hydrated]").waitFor({ state: "attached" });
  await expect(page.getByLabel("Handle")).toHaveValue(handle);
  await expect(page.getByLabel("Display Name")).toHaveValue("Early Bird");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(new RegExp(`/user/${handle}$`));
});

test("the account menu works from the keyboard", async ({ page }) => {
  const handle = uniqueHandle("keys");
  await signUp(page, uniqueEmail("keys"), handle, "Key Board");
  const button = page.getByRole("button", { name: "Account menu" });
  await button.focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("menuitem", { name: "Your Profile" })).toBeFocused();
  await page.keyboard.press("ArrowDown");
  await expect(page.getByRole("menuitem", { name: "Sign out" })).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("menu")).toBeHidden();
  await expect(button).toBeFocused();
  await page.keyboard.press("ArrowDown");
  await expect(page.getByRole("menuitem", { name: "Your Profile" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/user/${handle}/advanced/profile$`));
});
