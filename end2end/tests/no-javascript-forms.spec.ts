// Every form of the console without JavaScript: plain forms that post and
// come back, confirmations that open in place, and results that must be
// shown once (a new token, a CLI code, the revealed password) carried to
// the next page in a sealed cookie that page clears.
import { expect, type Page } from "@playwright/test";
import { signUp, test, uniqueEmail, uniqueHandle } from "./support";

test.use({ javaScriptEnabled: false });

async function newAccount(page: Page, prefix: string): Promise<string> {
  const handle = uniqueHandle(prefix);
  await signUp(page, uniqueEmail(prefix), handle, "No Script");
  return handle;
}

async function screens(page: Page, name: string) {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `test-results/screens/nojs-${name}-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 720 });
}

async function actor(page: Page, token: string) {
  return page.request.get("/api/v0/actor", { headers: { Authorization: `Bearer ${token}` } });
}

test("tokens: create one shown once in full, deactivate it, delete it after confirming", async ({ page }) => {
  const handle = await newAccount(page, "nojs-tok");
  const credentials = `/user/${handle}/advanced/credentials`;
  await page.goto(credentials);
  const tokens = page.getByRole("region", { name: "Tokens" });
  await tokens.getByRole("button", { name: "New Token" }).click();
  await tokens.getByRole("button", { name: "Create token" }).click();
  await expect(page).toHaveURL(new RegExp(`${credentials}\\??$`));

  const secret = (await page.getByTestId("new-token").textContent())!.trim();
  expect(secret).toMatch(/^spt_[A-Za-z0-9_-]{20,}$/);
  expect((await actor(page, secret)).status()).toBe(200);
  await screens(page, "new-token");
  // Shown once: the next page has only the masked form.
  await page.reload();
  await expect(page.getByTestId("new-token")).toHaveCount(0);
  await expect(page.getByRole("cell", { name: `spt_…${secret.slice(-4)}` })).toBeVisible();

  // Options is a disclosure without script; Deactivate posts.
  const row = page.getByRole("row").filter({ hasText: secret.slice(-4) });
  await row.getByLabel("Options").click();
  await row.getByRole("menuitem", { name: "Deactivate" }).click();
  await expect(page.getByRole("row").filter({ hasText: secret.slice(-4) })).toContainText("Inactive");
  expect((await actor(page, secret)).status()).toBe(401);

  // Delete asks first, in place.
  const again = page.getByRole("row").filter({ hasText: secret.slice(-4) });
  await again.getByLabel("Options").click();
  await again.locator("summary", { hasText: "Delete" }).click();
  await expect(again.getByText(/Anything that uses it stops working at once/)).toBeVisible();
  await screens(page, "delete-token");
  await again.getByRole("button", { name: "Delete token" }).click();
  await expect(page.getByText("You have no tokens yet.")).toBeVisible();
});

test("database password: reveal it, rotate it after confirming", async ({ page }) => {
  const handle = await newAccount(page, "nojs-pw");
  await page.goto(`/user/${handle}/advanced/credentials`);
  const section = page.getByRole("region", { name: "Database Password" });
  const strings = section.getByTestId("connection-string");
  await expect(strings.first()).toContainText("••••");

  await section.getByRole("button", { name: "Reveal" }).first().click();
  const revealed = (await page.getByRole("region", { name: "Database Password" }).getByTestId("connection-string").first().textContent())!;
  expect(revealed).not.toContain("•");
  const password = revealed.match(/:\/\/[^:]+:([^@]+)@/)![1];
  expect(password.length).toBeGreaterThanOrEqual(16);
  await page.reload();
  await expect(page.getByRole("region", { name: "Database Password" }).getByTestId("connection-string").first()).toContainText("••••");

  const fresh = page.getByRole("region", { name: "Database Password" });
  await fresh.locator("summary", { hasText: "Rotate Password" }).click();
  await expect(fresh.getByText(/may take a couple of minutes to propagate/)).toBeVisible();
  await screens(page, "rotate");
  await fresh.getByRole("group", { name: "Rotate Password?" }).getByRole("button", { name: "Rotate Password" }).click();
  await expect(page.getByRole("heading", { name: "Database Password" })).toBeVisible();
  await page.getByRole("region", { name: "Database Password" }).getByRole("button", { name: "Reveal" }).first().click();
  const after = (await page.getByRole("region", { name: "Database Password" }).getByTestId("connection-string").first().textContent())!;
  expect(after).not.toContain(password);
  expect(after).not.toContain("•");
});

test("notifications: each switch posts and stays after a reload", async ({ page }) => {
  const handle = await newAccount(page, "nojs-note");
  await page.goto(`/user/${handle}/advanced/notifications`);
  for (const kind of ["Community Updates", "Product Updates", "Tips & Tricks"]) {
    const toggle = page.getByRole("switch", { name: kind, exact: true });
    const before = await toggle.isChecked();
    await toggle.click();
    await expect(toggle).toBeChecked({ checked: !before });
    await page.reload();
    await expect(page.getByLabel(kind, { exact: true })).toBeChecked({ checked: !before });
  }
  await expect(page.getByLabel("System", { exact: true })).toBeChecked();
  await screens(page, "notifications");
  await expect(page.getByRole("button", { name: /System/ })).toHaveCount(0);
});

test("workspaces: create one, a wrong confirmation deletes nothing, the right one does", async ({ page }) => {
  const handle = await newAccount(page, "nojs-ws");
  await page.goto(`/user/${handle}`);
  await page.locator("summary", { hasText: "New Workspace" }).click();
  await page.getByLabel("Workspace handle").fill("Bad Name");
  await page.getByRole("button", { name: "Create" }).click();
  await expect(page.getByRole("alert")).toContainText(/lowercase|letters/i);

  await page.locator("summary", { hasText: "New Workspace" }).click();
  await page.getByLabel("Workspace handle").fill("reports");
  await page.getByRole("button", { name: "Create" }).click();
  const card = page.locator('.card[data-workspace="reports"]');
  await expect(card).toBeVisible();

  await card.locator("summary", { hasText: "Delete" }).click();
  await card.getByLabel("Type reports to confirm").fill("report");
  await card.getByRole("button", { name: "Delete", exact: true }).click();
  await expect(page.getByRole("alert")).toContainText("Type the workspace's handle exactly");
  await expect(page.locator('.card[data-workspace="reports"]')).toBeVisible();

  const still = page.locator('.card[data-workspace="reports"]');
  await still.locator("summary", { hasText: "Delete" }).click();
  await still.getByLabel("Type reports to confirm").fill("reports");
  await screens(page, "delete-workspace");
  await still.getByRole("button", { name: "Delete", exact: true }).click();
  await expect(page.locator('.card[data-workspace="reports"]')).toHaveCount(0);
});

test("CLI login: confirm shows the code once, and the code signs the CLI in", async ({ page }) => {
  const handle = await newAccount(page, "nojs-cli");
  const created = await page.request.post("/api/v0/login/token");
  expect(created.status()).toBe(201);
  const { id } = await created.json();
  await page.goto(`/login/token?r=${id}`);
  await expect(page.getByRole("heading", { name: "Sign in to the CLI?" })).toBeVisible();
  await page.getByRole("button", { name: "Confirm" }).click();
  const code = (await page.getByTestId("cli-code").textContent())!.replace(/\s/g, "");
  expect(code).toMatch(/^\d{6}$/);
  await page.reload();
  await expect(page.getByRole("heading", { name: "Already confirmed" })).toBeVisible();

  const exchanged = await page.request.get(`/api/v0/login/token/${id}?code=${code}`);
  expect(exchanged.status()).toBe(200);
  const { token } = await exchanged.json();
  const me = await actor(page, token);
  expect((await me.json()).handle ?? JSON.stringify(await me.json())).toContain(handle);
});

test("the account menu signs out without script", async ({ page }) => {
  const email = uniqueEmail("nojs-out");
  const handle = uniqueHandle("nojs-out");
  await signUp(page, email, handle, "No Script");
  await page.getByLabel("Account menu").click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);

  await page.goto(`/user/${handle}`);
  await expect(page).toHaveURL(/\/login/);
});

test("Reset authentication after confirming, without script", async ({ page }) => {
  const handle = await newAccount(page, "nojs-reset");
  await page.goto(`/user/${handle}/advanced/credentials`);
  const section = page.getByRole("region", { name: "Reset Authentication" });
  await section.locator("summary", { hasText: "Reset authentication" }).click();
  await expect(section.getByText("signs you out here and in every other browser and device.")).toBeVisible();
  await section.getByRole("group", { name: "Reset authentication?" }).getByRole("button", { name: "Reset authentication" }).click();
  await expect(page).toHaveURL(/\/login\?reset=1$/);
  await page.goto(`/user/${handle}/advanced/credentials`);
  await expect(page).toHaveURL(/\/login/);
});

test("usage thresholds: a bad amount is named and changes nothing, a good one is saved", async ({ page }) => {
  const handle = await newAccount(page, "nojs-cap");
  await page.goto(`/user/${handle}/advanced/usage`);
  const section = page.getByRole("region", { name: "Usage Thresholds" });
  await section.getByLabel("Compute time threshold, in hours").fill("lots");
  await section.getByRole("button", { name: "Save thresholds" }).click();
  await expect(page.getByRole("alert")).toContainText("The compute threshold must be a number");
  await page.goto(`/user/${handle}/advanced/usage`);
  await expect(section.getByLabel("Compute time threshold, in hours")).toHaveValue("");

  await section.getByLabel("Compute time threshold, in hours").fill("2.5");
  await section.getByLabel("When Compute time reaches it").selectOption("cap_and_warn");
  await section.getByRole("button", { name: "Save thresholds" }).click();
  await page.goto(`/user/${handle}/advanced/usage`);
  await expect(section.getByLabel("Compute time threshold, in hours")).toHaveValue("2.5");
  await expect(section.getByLabel("When Compute time reaches it")).toHaveValue("cap_and_warn");
  await expect(section.getByText("0 s of 2 h 30 min used (0 %)")).toBeVisible();
  await expect(section.locator("#cap-summary")).toContainText("At the cap (compute time at 2 h 30 min)");
  await screens(page, "usage-thresholds");
});
