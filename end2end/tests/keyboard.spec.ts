// The main journeys with the keyboard alone: Tab to reach a control,
// Enter or Space to press it, arrows in menus and the crop area, Escape to
// leave. Each control is reached by tabbing, never focused by the test.
import { expect, Locator, Page } from "@playwright/test";
import { signUp, test, uniqueEmail, uniqueHandle } from "./support";

/** Presses Tab until `target` has the focus (it must be reachable). */
async function tabTo(page: Page, target: Locator, limit = 80) {
  for (let i = 0; i < limit; i++) {
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`not reachable with Tab: ${target}`);
}

/** A visible focus ring: an outline or a box shadow on the focused element. */
async function hasFocusRing(target: Locator): Promise<boolean> {
  return target.evaluate((el) => {
    const s = getComputedStyle(el);
    return (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== "none";
  });
}

async function photo(page: Page): Promise<Buffer> {
  const b64 = await page.evaluate(async () => {
    const c = document.createElement("canvas");
    c.width = 900;
    c.height = 600;
    const x = c.getContext("2d")!;
    x.fillStyle = "#0ea5e9";
    x.fillRect(0, 0, 900, 600);
    x.fillStyle = "#f97316";
    x.fillRect(300, 150, 300, 300);
    return c.toDataURL("image/png").split(",")[1];
  });
  return Buffer.from(b64, "base64");
}

test("tokens, rotation, crop and deletion with the keyboard alone", async ({ page }) => {
  const handle = uniqueHandle("kbd");
  await signUp(page, uniqueEmail("kbd"), handle, "Kay Board");

  // Tokens: New Token, then Options › Delete, confirmed.
  await page.goto(`/user/${handle}/advanced/credentials`);
  const create = page.getByRole("button", { name: "New Token" });
  await tabTo(page, create);
  expect(await hasFocusRing(create)).toBe(true);
  await page.keyboard.press("Enter");
  // The dialog asks for a name, an expiration and an access level; Enter
  // in the name field makes the token with the defaults.
  const newToken = page.getByRole("dialog", { name: "New Token" });
  await expect(newToken.getByLabel("Name")).toBeFocused();
  await page.keyboard.type("Keyboard");
  await page.keyboard.press("Enter");
  const rows = page.getByRole("row").filter({ has: page.getByRole("button", { name: "Options" }) });
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("Keyboard");
  await tabTo(page, rows.first().getByRole("button", { name: "Options" }));
  await page.keyboard.press("Enter");
  const remove = page.getByRole("menuitem", { name: "Delete" });
  await expect(remove).toBeVisible();
  for (let i = 0; i < 4 && !(await remove.evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press("ArrowDown");
  }
  await expect(remove).toBeFocused();
  await page.keyboard.press("Enter");
  const confirmToken = page.getByRole("dialog");
  await expect(confirmToken).toBeVisible();
  await tabTo(page, confirmToken.getByRole("button", { name: "Delete" }));
  await page.keyboard.press("Enter");
  await expect(rows).toHaveCount(0);

  // Rotate Password: the dialog opens on Cancel; Tab to the action.
  const section = page.getByRole("region", { name: "Database Password" });
  await tabTo(page, section.getByRole("button", { name: "Rotate Password" }));
  await page.keyboard.press("Enter");
  const rotate = page.getByRole("dialog", { name: "Rotate database password?" });
  await expect(rotate.getByRole("button", { name: "Cancel" })).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(rotate).toHaveCount(0);
  await tabTo(page, section.getByRole("button", { name: "Rotate Password" }));
  await page.keyboard.press("Enter");
  await tabTo(page, rotate.getByRole("button", { name: "Rotate Password" }));
  await page.keyboard.press("Enter");
  await expect(rotate).toHaveCount(0);
  await expect(section.getByRole("listitem").filter({ hasText: "default" })).toContainText("Updated", { timeout: 15_000 });

  // Avatar: open the file picker from the keyboard, move and save the crop.
  await page.goto(`/user/${handle}/advanced/profile`);
  const change = page.getByRole("button", { name: "Change avatar" });
  await tabTo(page, change);
  const chooser = page.waitForEvent("filechooser");
  await page.keyboard.press("Enter");
  await (await chooser).setFiles({ name: "square.png", mimeType: "image/png", buffer: await photo(page) });
  const crop = page.getByRole("dialog", { name: "Crop your avatar" });
  const area = crop.getByRole("slider", { name: "Crop area" });
  await expect(area).toBeVisible();
  await tabTo(page, area);
  const before = await area.getAttribute("aria-valuetext");
  await page.keyboard.press("ArrowRight");
  await expect(area).not.toHaveAttribute("aria-valuetext", before!);
  await tabTo(page, crop.getByRole("button", { name: "Save" }));
  await page.keyboard.press("Enter");
  await expect(crop).toHaveCount(0, { timeout: 20_000 });
  await expect(page.locator("header .avatar")).toHaveAttribute("src", /\/avatar\/c\//);

  // Delete developer account: type the handle, Tab to Delete, Enter.
  await tabTo(page, page.getByRole("button", { name: "Delete developer account" }));
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: "Delete developer account?" });
  const typed = dialog.getByLabel(`Type ${handle} to confirm`);
  await tabTo(page, typed);
  await page.keyboard.type(handle);
  await tabTo(page, dialog.getByRole("button", { name: "Delete" }));
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/login\?deleted=1$/);
});
