// A token used from a network the account has not used: one System
// e-mail with "This wasn't me", whose page (after Confirm it is you when
// the proof is stale) revokes that token. Known networks under Sessions
// list both networks; removing one is a form.
import { expect } from "@playwright/test";
import { fromMail, hydrated, signUp, test, uniqueEmail, uniqueHandle } from "./support";

test("a token used from a new network mails once, and This wasn't me revokes it", async ({ page }) => {
  const email = uniqueEmail("nn");
  const handle = uniqueHandle("nn");
  await signUp(page, email, handle, "Nora Network");
  await page.goto(`/user/${handle}/advanced/credentials`);
  await page.getByRole("button", { name: "New Token" }).click();
  await page.getByRole("dialog").getByLabel("Name").fill("deploy bot");
  const [created] = await Promise.all([
    page.waitForResponse(/\/sfn\/create_token/),
    page.getByRole("dialog").getByRole("button", { name: "Create token" }).click(),
  ]);
  const secret: string = (await created.json()).secret;
  const actor = (from: string) =>
    page.request.get("/api/v0/actor", {
      headers: { Authorization: `Bearer ${secret}`, "X-Forwarded-For": from, "User-Agent": "deploy-script/2.1" },
    });
  expect((await actor("203.0.113.9")).status()).toBe(200);
  expect((await actor("203.0.113.10")).status()).toBe(200);
  const link = await fromMail(email, /(https?:\/\/\S+\/not-me\/na_[a-z0-9]+)/, "the new-network mail");
  expect(await fromMail(email, /(What: .*)/)).toContain("deploy bot");
  expect(await fromMail(email, /(Client: .*)/)).toContain("deploy-script/2.1");

  await page.goto(`/user/${handle}/advanced/credentials`);
  const networks = page.getByRole("group", { name: "Known networks" });
  await expect(networks.getByRole("listitem").filter({ hasText: "203.0.113.0/24" })).toBeVisible();
  await expect(networks.getByRole("listitem").filter({ hasText: "127.0.0.0/24" })).toBeVisible();

  await page.goto(new URL(link).pathname);
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "This wasn't me" })).toBeVisible();
  await expect(page.getByText("203.0.113.0/24 (address 203.0.113.9)")).toBeVisible();
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `test-results/screens/not-me-${width}.png` });
  }
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.getByRole("button", { name: "Revoke that token" }).click();
  await expect(page.getByRole("status")).toContainText("that token was revoked");
  expect((await actor("203.0.113.9")).status()).toBe(401);
});
