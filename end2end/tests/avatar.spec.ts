// User Profile › avatar: choose a photo, crop it (drag, zoom, keys), Save:
// the top bar shows the new image (compared by pixels); a reload keeps it;
// Reset brings the generated one back; a text file gets the message.
import { expect, Locator, Page } from "@playwright/test";
import { signUp, test, uniqueEmail, uniqueHandle } from "./support";

/** A 4000×3000 JPEG, as a phone makes, drawn by the browser itself. */
async function phonePhoto(page: Page): Promise<Buffer> {
  const b64 = await page.evaluate(async () => {
    const c = document.createElement("canvas");
    c.width = 4000;
    c.height = 3000;
    const x = c.getContext("2d")!;
    const g = x.createLinearGradient(0, 0, 4000, 3000);
    g.addColorStop(0, "#e11d48");
    g.addColorStop(1, "#2563eb");
    x.fillStyle = g;
    x.fillRect(0, 0, 4000, 3000);
    x.fillStyle = "#facc15";
    x.beginPath();
    x.arc(2600, 1200, 700, 0, Math.PI * 2);
    x.fill();
    const blob: Blob = await new Promise((r) => c.toBlob((b) => r(b!), "image/jpeg", 0.9));
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let s = "";
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
  });
  return Buffer.from(b64, "base64");
}

/** The image an <img> shows, scaled to 24×24 RGBA. */
async function pixels(img: Locator): Promise<number[]> {
  return img.evaluate(async (el: HTMLImageElement) => {
    await el.decode();
    const c = document.createElement("canvas");
    c.width = 24;
    c.height = 24;
    const x = c.getContext("2d")!;
    x.drawImage(el, 0, 0, 24, 24);
    return Array.from(x.getImageData(0, 0, 24, 24).data);
  });
}

function distance(a: number[], b: number[]): number {
  return a.reduce((sum, v, i) => sum + Math.abs(v - b[i]), 0) / a.length;
}

test("upload, crop, save, reload and reset the avatar", async ({ page }) => {
  const handle = uniqueHandle("ava");
  const wasm: string[] = [];
  page.on("request", (r) => {
    if (r.url().endsWith(".wasm")) wasm.push(new URL(r.url()).pathname);
  });
  await signUp(page, uniqueEmail("ava"), handle, "Ava Tar");
  wasm.length = 0;
  await page.goto(`/user/${handle}/advanced/profile`);
  await page.waitForLoadState("networkidle");
  // The crop dialog and the image code are files of their own, fetched
  // only once a photo is picked;
  // User Profile needs no other page's module either.
  expect(wasm.filter((p) => /\/pkg\/sluice\.wasm$/.test(p))).toHaveLength(1);
  expect(wasm.filter((p) => p.includes("split_"))).toEqual([]);
  const topbar = page.locator("header .avatar");
  await expect(topbar).toHaveAttribute("src", /\.svg$/);
  const generated = await pixels(topbar);

  // Not an image: the message names what is allowed, and nothing opens.
  await page.locator("#avatar-file").setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("hello") });
  await expect(page.getByRole("alert").filter({ hasText: "not a JPEG or PNG image" })).toBeVisible();
  await expect(page.getByRole("dialog")).toHaveCount(0);
  // A refused file loads none of the crop code.
  expect(wasm.filter((p) => p.includes("split_"))).toEqual([]);

  await page.locator("#avatar-file").setInputFiles({ name: "phone.jpg", mimeType: "image/jpeg", buffer: await phonePhoto(page) });
  const dialog = page.getByRole("dialog", { name: "Crop your avatar" });
  await expect(dialog).toBeVisible();
  const box = dialog.getByRole("slider", { name: "Crop area" });
  await expect(box).toBeVisible();
  // The dialog's code and the image code, each once.
  await expect.poll(() => wasm.filter((p) => p.includes("split_crop_to_pngs")).length).toBe(1);
  expect(wasm.filter((p) => p.includes("split_crop_dialog")).length).toBe(1);
  const before = await box.getAttribute("aria-valuetext");

  // Zoom in with the slider, drag the box, nudge it with the keyboard.
  await dialog.getByLabel("Zoom").fill("2");
  await expect(box).not.toHaveAttribute("aria-valuetext", before!);
  const zoomed = (await box.getAttribute("aria-valuetext"))!;
  expect(zoomed).toMatch(/^1500×1500 pixels/);
  const b = (await box.boundingBox())!;
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2 + 60, b.y + b.height / 2 - 30, { steps: 5 });
  await page.mouse.up();
  const dragged = (await box.getAttribute("aria-valuetext"))!;
  expect(dragged).not.toBe(zoomed);
  await box.focus();
  await page.keyboard.press("ArrowLeft");
  await expect(box).not.toHaveAttribute("aria-valuetext", dragged);
  await expect(dialog.getByRole("img", { name: "Preview" })).toHaveAttribute("style", /background-image/);
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 860 });
    await page.screenshot({ path: `test-results/screens/avatar-crop-${width}.png` });
  }
  await page.setViewportSize({ width: 1280, height: 720 });

  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toHaveCount(0, { timeout: 20_000 });
  await expect(topbar).toHaveAttribute("src", /\/avatar\/c\/[0-9a-f]{32}\.png$/);
  const custom = await pixels(topbar);
  expect(distance(custom, generated)).toBeGreaterThan(20);

  await page.reload();
  await expect(topbar).toHaveAttribute("src", /\/avatar\/c\//);
  expect(distance(await pixels(topbar), custom)).toBeLessThan(3);
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 860 });
    await page.screenshot({ path: `test-results/screens/avatar-profile-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 720 });

  await page.getByRole("button", { name: "Reset" }).click();
  await expect(topbar).toHaveAttribute("src", /\.svg$/);
  expect(distance(await pixels(topbar), generated)).toBeLessThan(3);
  await expect(page.getByRole("button", { name: "Reset" })).toHaveCount(0);
});
