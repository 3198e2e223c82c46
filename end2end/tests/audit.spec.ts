// Activity › Audit Log: what a person does in the console shows up with
// the right actor and no secret; filters, Load more and the exports work.
import { expect } from "@playwright/test";
import { readFile } from "node:fs/promises";
import { signUp, test, uniqueEmail, uniqueHandle } from "./support";

test("act in the console, then read, filter and export the Audit Log", async ({ page }) => {
  const handle = uniqueHandle("aud");
  await signUp(page, uniqueEmail("aud"), handle, "Audrey");

  // Rename.
  await page.goto(`/user/${handle}/advanced/profile`);
  const nameForm = page.locator("form", { has: page.getByLabel("Display Name") });
  await page.getByLabel("Display Name").fill("Audrey Hepburn");
  await nameForm.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();

  // Create a token and keep its secret.
  await page.goto(`/user/${handle}/advanced/credentials`);
  await page.getByRole("button", { name: "New Token" }).click();
  await page.getByRole("dialog", { name: "New Token" }).getByRole("button", { name: "Create token" }).click();
  await page.getByRole("region", { name: "New token" }).getByRole("button", { name: "Reveal" }).click();
  const token = (await page.getByTestId("new-token").textContent())!.trim();
  expect(token).toMatch(/^spt_/);

  // Rotate the database password.
  const section = page.getByRole("region", { name: "Database Password" });
  await section.getByRole("button", { name: "Rotate Password" }).click();
  await page.getByRole("dialog", { name: "Rotate database password?" }).getByRole("button", { name: "Rotate Password" }).click();
  await expect(page.getByRole("dialog")).toHaveCount(0);

  // Each appears in the Audit Log, newest first, with the actor.
  await page.getByRole("link", { name: "Activity" }).click();
  await expect(page).toHaveURL(new RegExp(`/user/${handle}/activity$`));
  await expect(page.getByRole("heading", { name: "Audit Log" })).toBeVisible();
  const rows = page.locator(".audit-table tbody tr");
  const rotate = rows.filter({ hasText: "user.password.rotate" });
  await expect(rotate).toHaveCount(1);
  await expect(rotate).toContainText("Audrey Hepburn");
  await expect(rotate).toContainText(`@${handle}`);
  await expect(rotate.locator("img.avatar")).toHaveAttribute("src", /\/avatar\//);
  await expect(rows.filter({ hasText: "token.create" })).toContainText("Created a token");
  await expect(rows.filter({ hasText: "user.update" })).toContainText("display_name: Audrey → Audrey Hepburn");
  await expect(rows.first()).toContainText("user.password.rotate");
  const secret = token.slice(-20);
  expect(await page.content()).not.toContain(secret);

  // Filter by action: only that action, kept in the address.
  await page.getByLabel("Action").selectOption("token.create");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/\?action=token\.create$/);
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("token.create");
  // A date range with nothing in it.
  await page.getByLabel("From").fill("2099-01-01");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page.getByText("No records match these filters.")).toBeVisible();
  await page.getByRole("link", { name: "Clear" }).click();
  await expect(page).toHaveURL(new RegExp(`/user/${handle}/activity$`));
  await expect(rows.filter({ hasText: "user.create" })).toHaveCount(1);

  // Exports: every record, no secret.
  const csvDownload = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export CSV" }).click();
  const csv = await readFile((await (await csvDownload).path())!, "utf8");
  expect(csv.split("\r\n")[0]).toBe("created_at,action_type,actor_handle,actor_display_name,actor_ip,target_handle,data,id");
  expect(csv).toContain(",user.password.rotate,");
  expect(csv).not.toContain(secret);
  const jsonDownload = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export JSON" }).click();
  const json = JSON.parse(await readFile((await (await jsonDownload).path())!, "utf8"));
  const actions = json.map((r: { action_type: string }) => r.action_type);
  for (const a of ["user.create", "user.login", "user.update", "token.create", "user.password.rotate"]) {
    expect(actions).toContain(a);
  }

  // More than a page: renames through the API with the token.
  for (let i = 0; i < 30; i++) {
    const res = await page.request.patch(`/api/v0/user/${handle}`, {
      headers: { authorization: `Bearer ${token}` },
      data: { display_name: `Audrey ${i}` },
    });
    expect(res.status()).toBe(200);
  }
  await page.reload();
  await expect(rows).toHaveCount(25);
  await expect(page.getByRole("status").filter({ hasText: "25 records shown" })).toBeVisible();
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `test-results/screens/audit-log-${width}.png`, fullPage: false });
  }
  await page.setViewportSize({ width: 1280, height: 720 });
  const total = json.length + 30 + 1; // and the token's first use today
  await page.getByRole("link", { name: "Load more" }).click();
  await expect(rows).toHaveCount(total);
  await expect(page).toHaveURL(new RegExp(`/user/${handle}/activity$`), { timeout: 1000 });
  await expect(page.getByRole("link", { name: "Load more" })).toHaveCount(0);
  await expect(rows.filter({ hasText: "token.use" })).toHaveCount(1);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the filters still work", async ({ page }) => {
    const handle = uniqueHandle("audnj");
    await signUp(page, uniqueEmail("audnj"), handle, "No Script");
    await page.goto(`/user/${handle}/activity`);
    const rows = page.locator(".audit-table tbody tr");
    await expect(rows).toHaveCount(2);
    await page.getByLabel("Action").selectOption("user.login");
    await page.getByRole("button", { name: "Filter" }).click();
    await expect(page).toHaveURL(/action=user\.login/);
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText("Signed in");
  });
});
