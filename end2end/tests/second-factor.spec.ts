// A second factor: an authenticator app set up from the key the page
// shows (the journey computes its codes, RFC 6238, as an app would),
// recovery codes saved, the requirement turned on; then a sign-in with the
// e-mail link reaches nothing until a code is given. A wrong code is
// refused, a recovery code works once, a passkey sign-in needs nothing
// more. With the mouse, with the keyboard alone, and without script.
import { expect, type Locator, type Page } from "@playwright/test";
import { createHmac } from "node:crypto";
import * as fs from "node:fs";
import { clockFile } from "../playwright.config";
import { hydrated, signInLinkFor, signUp, tabTo, test, uniqueEmail, uniqueHandle, virtualAuthenticator, requestLink } from "./support";

function base32(text: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0, value = 0;
  const out: number[] = [];
  for (const c of text.replace(/\s/g, "")) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >>> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

/** The code an authenticator app shows `ahead` steps from now, on the
 * server's clock (which a journey may have moved). */
function totp(secret: string, ahead = 0): string {
  const moved = fs.existsSync(clockFile) ? Number(fs.readFileSync(clockFile, "utf8").trim()) || 0 : 0;
  const step = Math.floor((Date.now() / 1000 + moved) / 30) + ahead;
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", base32(secret)).update(counter).digest();
  const offset = mac[19] & 0xf;
  const word = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(word % 1_000_000).padStart(6, "0");
}

/** Screenshots at 1280 and 390 px: of `part` when given, else of the page. */
async function screens(page: Page, name: string, part?: Locator) {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    const path = `test-results/screens/${name}-${width}.png`;
    if (part) {
      await part.screenshot({ path });
    } else {
      await page.screenshot({ path });
    }
  }
  await page.setViewportSize({ width: 1280, height: 720 });
}

async function signOut(page: Page) {
  await page.getByRole("button", { name: "Account menu" }).click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
}

/** Opens a fresh sign-in link and presses Sign in: the second step. */
async function firstStep(page: Page, email: string) {
  await requestLink(page, email);
  await page.goto(await signInLinkFor(email));
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/login\/second-step$/);
  await expect(page.getByRole("heading", { name: "One more step" })).toBeVisible();
}

test("set up an authenticator, require it, and sign in with a code, a recovery code or a passkey", async ({ page }) => {
  const email = uniqueEmail("tf");
  const handle = uniqueHandle("tf");
  await signUp(page, email, handle, "Tess Factor");
  await page.goto(`/user/${handle}/advanced/credentials`);
  const section = page.getByRole("region", { name: "Second factor" });
  await expect(section.getByRole("button", { name: "Require a second factor" })).toBeDisabled();
  await section.getByRole("button", { name: "Set up authenticator app" }).click();
  const secret = (await section.getByTestId("totp-secret").textContent())!.trim();
  expect(secret).toMatch(/^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/);
  await expect(section.getByRole("img", { name: "QR code for your authenticator app" })).toBeVisible();
  await screens(page, "second-factor-setup", section);
  await section.getByLabel("Enter the 6-digit code the app shows").fill("000000");
  await section.getByRole("button", { name: "Turn on" }).click();
  await expect(section.getByRole("alert")).toContainText("not right");
  await section.getByLabel("Enter the 6-digit code the app shows").fill(totp(secret));
  await section.getByRole("button", { name: "Turn on" }).click();
  await expect(section.getByRole("status").first()).toContainText("Your authenticator app is set up");
  await expect(section.locator("[data-factor=authenticator]")).toContainText("On");

  await section.getByRole("button", { name: "Make recovery codes" }).click();
  const shown = section.getByTestId("recovery-codes");
  await expect(shown).toBeVisible();
  const codes = (await shown.locator("span").allTextContents()).map((c) => c.trim());
  expect(codes).toHaveLength(10);
  await expect(section.getByRole("link", { name: "Download" })).toHaveAttribute("download", "sluice-recovery-codes.txt");
  await screens(page, "second-factor-recovery-codes", section);
  await section.getByRole("button", { name: "I saved them" }).click();
  await expect(shown).toHaveCount(0);
  await section.getByRole("button", { name: "Require a second factor" }).click();
  await expect(section.locator("[data-factor=require]")).toContainText("On");

  // The e-mail link alone reaches nothing now.
  await signOut(page);
  await firstStep(page, email);
  await screens(page, "second-step");
  await page.goto(`/user/${handle}`);
  await expect(page).toHaveURL(/\/login/);
  await page.goto("/login/second-step");
  await page.getByLabel(/Code from your authenticator app/).fill("000000");
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("alert")).toContainText("not right");
  await expect(page).toHaveURL(/\/login\/second-step$/);
  // A recovery code works, once.
  await page.getByLabel(/Code from your authenticator app/).fill(codes[0]);
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page).toHaveURL(new RegExp(`/user/${handle}$`));
  await signOut(page);
  await firstStep(page, email);
  await page.getByLabel(/Code from your authenticator app/).fill(codes[0]);
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("alert")).toContainText("already used");
  // The app's next code does.
  await page.getByLabel(/Code from your authenticator app/).fill(totp(secret, 1));
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page).toHaveURL(new RegExp(`/user/${handle}$`));

  // A passkey sign-in is two factors: nothing more is asked.
  await virtualAuthenticator(page);
  await page.goto(`/user/${handle}/advanced/credentials`);
  await page.getByRole("region", { name: "Passkeys" }).getByRole("button", { name: "Add a passkey" }).click();
  const dialog = page.getByRole("dialog", { name: "Add a passkey" });
  await dialog.getByLabel("Passkey name").fill("Laptop");
  await dialog.getByRole("button", { name: "Create passkey" }).click();
  await expect(dialog).toHaveCount(0);
  await signOut(page);
  await hydrated(page);
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page).toHaveURL(new RegExp(`/user/${handle}$`));
});

test("the same with the keyboard alone", async ({ page }) => {
  const email = uniqueEmail("tfk");
  const handle = uniqueHandle("tfk");
  await signUp(page, email, handle, "Kay Board");
  await page.goto(`/user/${handle}/advanced/credentials`);
  const section = page.getByRole("region", { name: "Second factor" });
  const setUp = section.getByRole("button", { name: "Set up authenticator app" });
  await tabTo(page, setUp, 200);
  await page.keyboard.press("Enter");
  const field = section.getByLabel("Enter the 6-digit code the app shows");
  await expect(field).toBeFocused();
  const secret = (await section.getByTestId("totp-secret").textContent())!.trim();
  await page.keyboard.type(totp(secret));
  await page.keyboard.press("Enter");
  await expect(section.locator("[data-factor=authenticator]")).toContainText("On");
  const make = section.getByRole("button", { name: "Make recovery codes" });
  await tabTo(page, make, 200);
  await page.keyboard.press("Enter");
  await expect(section.getByTestId("recovery-codes")).toBeVisible();
  const require = section.getByRole("button", { name: "Require a second factor" });
  await tabTo(page, require, 200);
  await page.keyboard.press("Enter");
  await expect(section.locator("[data-factor=require]")).toContainText("On");

  await signOut(page);
  await firstStep(page, email);
  await expect(page.getByLabel(/Code from your authenticator app/)).toBeFocused();
  await page.keyboard.type("111111");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("alert")).toContainText("not right");
  await expect(page.getByLabel(/Code from your authenticator app/)).toBeFocused();
  await page.keyboard.type(totp(secret, 1));
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/user/${handle}$`));
});

test.describe("without script", () => {
  test.use({ javaScriptEnabled: false });

  test("set up, save codes, require; the second step is a plain form", async ({ page }) => {
    const email = uniqueEmail("tfn");
    const handle = uniqueHandle("tfn");
    await signUp(page, email, handle, "No Script");
    const credentials = `/user/${handle}/advanced/credentials`;
    await page.goto(credentials);
    const section = page.getByRole("region", { name: "Second factor" });
    await section.getByRole("button", { name: "Set up authenticator app" }).click();
    await expect(page).toHaveURL(new RegExp(`${credentials}\\??$`));
    const secret = (await section.getByTestId("totp-secret").textContent())!.trim();
    await section.getByLabel("Enter the 6-digit code the app shows").fill(totp(secret));
    await section.getByRole("button", { name: "Turn on" }).click();
    await expect(section.locator("[data-factor=authenticator]")).toContainText("On");
    await section.getByRole("button", { name: "Make recovery codes" }).click();
    const codes = (await section.getByTestId("recovery-codes").locator("span").allTextContents()).map((c) => c.trim());
    expect(codes).toHaveLength(10);
    await screens(page, "nojs-recovery-codes", section);
    await page.reload();
    await expect(section.getByTestId("recovery-codes")).toHaveCount(0);
    await section.getByRole("button", { name: "Require a second factor" }).click();
    await expect(section.locator("[data-factor=require]")).toContainText("On");

    await page.getByLabel("Account menu").click();
    await page.getByRole("menuitem", { name: "Sign out" }).click();
    await requestLink(page, email);
    await page.goto(await signInLinkFor(email));
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/login\/second-step$/);
    await page.getByLabel(/Code from your authenticator app/).fill("000000");
    await page.getByRole("button", { name: "Continue" }).click();
    await expect(page).toHaveURL(/\/login\/second-step/);
    await page.getByLabel(/Code from your authenticator app/).fill(codes[3]);
    await page.getByRole("button", { name: "Continue" }).click();
    await expect(page).toHaveURL(new RegExp(`/user/${handle}$`));
  });
});
