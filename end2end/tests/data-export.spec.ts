// Download your data: User Profile offers the archive, the delete-account
// dialog offers it again, and what the browser saves is a ZIP with every
// part the page lists.
import { expect } from "@playwright/test";
import { spawnSync } from "node:child_process";
import { hydrated, signUp, test, uniqueEmail, uniqueHandle } from "./support";

test("download your data from User Profile and from the delete-account dialog", async ({ page }) => {
  const handle = uniqueHandle("dat");
  await signUp(page, uniqueEmail("dat"), handle, "Dana Data");
  await page.goto(`/user/${handle}/advanced/profile`);
  await hydrated(page);
  const section = page.getByRole("region", { name: "Your data" });
  await expect(section).toContainText("without your database password");
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await section.screenshot({ path: `test-results/screens/your-data-${width}.png` });
  }
  await page.setViewportSize({ width: 1280, height: 720 });

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    section.getByRole("link", { name: "Download your data" }).click(),
  ]);
  expect(download.suggestedFilename()).toBe(`sluice-${handle}-data.zip`);
  const saved = test.info().outputPath("data.zip");
  await download.saveAs(saved);
  // Listed by Python's zipfile, as any unzip would.
  const listing = spawnSync("python3", ["-c", "import sys, zipfile; print('\\n'.join(zipfile.ZipFile(sys.argv[1]).namelist()))", saved], { encoding: "utf8" });
  expect(listing.status, listing.stderr).toBe(0);
  for (const part of ["profile.json", "workspaces.json", "tokens.json", "notifications.json", "sessions.json", "passkeys.json", "usage.json", "audit_log.json", "audit_log.csv"]) {
    expect(listing.stdout).toContain(part);
  }

  // Offered again before the account goes.
  await page.getByRole("button", { name: "Delete developer account" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete developer account?" });
  await expect(dialog.getByRole("link", { name: "Download your data" })).toHaveAttribute("href", `/user/${handle}/export.zip`);
  await dialog.getByRole("button", { name: "Cancel" }).click();
});
