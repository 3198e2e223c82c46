// "Confirm it is you": with a session whose proof is older than 10
// minutes (the clock the server reads, moved forward by the journey),
// Delete developer account and Reset authentication first ask for a
// passkey or an e-mailed code; after one, they proceed, and a second
// destructive action within 10 minutes does not ask again.
import { expect, Page } from "@playwright/test";
import * as fs from "node:fs";
import { clockFile } from "../playwright.config";
import { findInMail, fromMail, hydrated, signUp, test, uniqueEmail, uniqueHandle, virtualAuthenticator } from "./support";

let offset = 0;
/** Moves the server's clock of proofs 11 minutes on: every proof made so far is stale. */
function elevenMinutesLater() {
  offset += 11 * 60;
  fs.writeFileSync(clockFile, `${offset}\n`);
}

test.afterAll(() => fs.rmSync(clockFile, { force: true }));

async function addPasskey(page: Page, handle: string, name: string) {
  await page.goto(`/user/${handle}/advanced/credentials`);
  await hydrated(page);
  const section = page.getByRole("region", { name: "Passkeys" });
  await section.getByRole("button", { name: "Add a passkey" }).click();
  await page.getByRole("dialog", { name: "Add a passkey" }).getByLabel("Passkey name").fill(name);
  await page.getByRole("button", { name: "Create passkey" }).click();
  await expect(section.getByRole("status")).toContainText("added");
}

test("a stale session confirms with a passkey, then is not asked again for 10 minutes", async ({ page }) => {
  const handle = uniqueHandle("sudo");
  await signUp(page, uniqueEmail("sudo"), handle, "Sue Do");
  await virtualAuthenticator(page);
  await addPasskey(page, handle, "Laptop");

  elevenMinutesLater();
  await page.goto(`/user/${handle}/advanced/profile`);
  await hydrated(page);
  await page.getByRole("button", { name: "Delete developer account" }).click();
  const confirm = page.getByRole("dialog", { name: "Confirm it is you" });
  await expect(confirm).toContainText("fresh proof");
  await expect(page.getByRole("dialog", { name: "Delete developer account?" })).toHaveCount(0);
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 860 });
    await page.screenshot({ path: `test-results/screens/confirm-it-is-you-${width}.png` });
  }
  await page.setViewportSize({ width: 1280, height: 720 });
  await confirm.getByRole("button", { name: "Use a passkey" }).click();
  const remove = page.getByRole("dialog", { name: "Delete developer account?" });
  await expect(remove).toBeVisible();
  await remove.getByRole("button", { name: "Cancel" }).click();

  // Within 10 minutes: Reset authentication does not ask again.
  await page.goto(`/user/${handle}/advanced/credentials`);
  await hydrated(page);
  await page.getByRole("button", { name: "Reset authentication" }).click();
  const reset = page.getByRole("dialog", { name: "Reset authentication?" });
  await expect(reset).toBeVisible();
  await expect(page.getByRole("dialog", { name: "Confirm it is you" })).toHaveCount(0);
  await reset.getByRole("button", { name: "Reset authentication" }).click();
  await expect(page).toHaveURL(/\/login\?reset=1$/);

  await page.goto(`/user/${handle}/activity`);
  await expect(page.getByRole("heading", { name: "Sign in to Sluice" })).toBeVisible();
});

test("without a passkey, a code from the e-mail confirms it is you, and Reset then Delete proceed", async ({ page }) => {
  const handle = uniqueHandle("code");
  const email = uniqueEmail("code");
  await signUp(page, email, handle, "Cody Mail");

  elevenMinutesLater();
  await page.goto(`/user/${handle}/advanced/credentials`);
  await hydrated(page);
  await page.getByRole("button", { name: "Reset authentication" }).click();
  const confirm = page.getByRole("dialog", { name: "Confirm it is you" });
  await expect(confirm.getByRole("button", { name: "Use a passkey" })).toHaveCount(0);
  await confirm.getByRole("button", { name: "E-mail me a code" }).click();
  const code = await fromMail(email, /confirm it is you on Sluice:\s+(\d{6})/, "a confirmation code");
  // A wrong code is refused and changes nothing.
  const wrong = code === "000000" ? "111111" : "000000";
  await confirm.getByLabel("Code from your e-mail").fill(wrong);
  await confirm.getByRole("button", { name: "Confirm", exact: true }).click();
  await expect(confirm.getByRole("alert")).toContainText("That code is not right");
  await confirm.getByLabel("Code from your e-mail").fill(code);
  await confirm.getByRole("button", { name: "Confirm", exact: true }).click();
  const reset = page.getByRole("dialog", { name: "Reset authentication?" });
  await expect(reset).toBeVisible();
  await reset.getByRole("button", { name: "Cancel" }).click();

  await page.goto(`/user/${handle}/advanced/profile`);
  await hydrated(page);
  await page.getByRole("button", { name: "Delete developer account" }).click();
  const remove = page.getByRole("dialog", { name: "Delete developer account?" });
  await expect(remove).toBeVisible();
  await expect(page.getByRole("dialog", { name: "Confirm it is you" })).toHaveCount(0);
  await remove.getByLabel(`Type ${handle} to confirm`).fill(handle);
  await remove.getByRole("button", { name: "Delete" }).click();
  await expect(page).toHaveURL(/\/login\?deleted=1$/);
});

test("without JavaScript, a stale session is sent to the confirmation page and back", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const handle = uniqueHandle("nojs");
  const email = uniqueEmail("nojs");
  await signUp(page, email, handle, "No Script");
  elevenMinutesLater();
  await page.goto(`/user/${handle}/advanced/credentials`);
  await page.getByRole("button", { name: "Reset authentication" }).click();
  await page.getByRole("group", { name: "Reset authentication?" }).getByRole("button", { name: "Reset authentication" }).click();
  await expect(page).toHaveURL(/\/confirm\?next=/);
  await expect(page.getByRole("heading", { name: "Confirm it is you" })).toBeVisible();
  await page.getByRole("button", { name: "E-mail me a code" }).click();
  const code = await fromMail(email, /confirm it is you on Sluice:\s+(\d{6})/, "a confirmation code");
  await page.getByLabel("Code from your e-mail").fill(code);
  await page.getByRole("button", { name: "Confirm", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/user/${handle}/advanced/credentials`));
  await page.getByRole("button", { name: "Reset authentication" }).click();
  await page.getByRole("group", { name: "Reset authentication?" }).getByRole("button", { name: "Reset authentication" }).click();
  await expect(page).toHaveURL(/\/login\?reset=1$/);
  await context.close();
});

/** Confirms it is you with a code from the e-mail, in the dialog that asked. */
async function confirmWithCode(page: Page, email: string) {
  const confirm = page.getByRole("dialog", { name: "Confirm it is you" });
  await expect(confirm).toBeVisible();
  // The code asked for now, not one an earlier confirmation mailed.
  const pattern = /confirm it is you on Sluice:\s+(\d{6})/;
  const before = findInMail(email, pattern);
  await confirm.getByRole("button", { name: "E-mail me a code" }).click();
  const code = await fromMail(email, pattern, "a new confirmation code", before);
  await confirm.getByLabel("Code from your e-mail").fill(code);
  await confirm.getByRole("button", { name: "Confirm", exact: true }).click();
  await expect(confirm).toHaveCount(0);
}

test("a stale session proves itself before a CLI login's code and before the database password shows", async ({ page, request }) => {
  const handle = uniqueHandle("stale");
  const email = uniqueEmail("stale");
  await signUp(page, email, handle, "Stale Session");
  const started = await request.post("/api/v0/login/token");
  expect(started.status()).toBe(201);
  const { id } = await started.json();

  elevenMinutesLater();
  // The code becomes a 30-day token with full access: not without a proof.
  await page.goto(`/login/token?r=${id}`);
  await hydrated(page);
  await page.getByRole("button", { name: "Confirm" }).click();
  await expect(page.getByRole("dialog", { name: "Confirm it is you" })).toBeVisible();
  await expect(page.getByTestId("cli-code")).toHaveCount(0);
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 860 });
    await page.screenshot({ path: `test-results/screens/cli-login-stale-${width}.png` });
  }
  await page.setViewportSize({ width: 1280, height: 720 });
  await confirmWithCode(page, email);
  await expect(page.getByTestId("cli-code")).toHaveText(/^\d{3} \d{3}$/);

  // The password opens every workspace: Reveal asks too, then shows it.
  elevenMinutesLater();
  await page.goto(`/user/${handle}/advanced/credentials`);
  await hydrated(page);
  const row = page.getByTestId("connection-string").first();
  await expect(row).toContainText("••••");
  await page.getByRole("button", { name: "Reveal" }).first().click();
  await confirmWithCode(page, email);
  await expect(row).not.toContainText("••••");

  // Deleting a workspace and signing out the other sessions open their
  // own dialogs only after a proof.
  elevenMinutesLater();
  await page.goto(`/user/${handle}`);
  await hydrated(page);
  await page.getByRole("button", { name: "Delete default" }).click();
  await expect(page.getByRole("dialog", { name: "Delete workspace?" })).toHaveCount(0);
  await confirmWithCode(page, email);
  const remove = page.getByRole("dialog", { name: "Delete workspace?" });
  await remove.getByLabel("Type default to confirm").fill("default");
  await remove.getByRole("button", { name: "Delete" }).click();
  await expect(remove).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Delete default" })).toHaveCount(0);

  elevenMinutesLater();
  await page.goto(`/user/${handle}/advanced/credentials`);
  await hydrated(page);
  await page.getByRole("button", { name: "Sign out other sessions" }).click();
  await expect(page.getByRole("dialog", { name: "Sign out other sessions?" })).toHaveCount(0);
  await confirmWithCode(page, email);
  await expect(page.getByRole("dialog", { name: "Sign out other sessions?" })).toBeVisible();
});
