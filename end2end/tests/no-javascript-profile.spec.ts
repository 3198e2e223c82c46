// User Profile and the Audit Log without JavaScript: the handle change asks
// first in place and lists the DNS names; an avatar uploads and the server
// keeps the centre square; Load more is a link to the next page.
import { expect, type Page } from "@playwright/test";
import { deflateSync } from "node:zlib";
import { signUp, test, uniqueEmail, uniqueHandle } from "./support";

test.use({ javaScriptEnabled: false });

async function newAccount(page: Page, prefix: string): Promise<string> {
  const handle = uniqueHandle(prefix);
  await signUp(page, uniqueEmail(prefix), handle, "No Script");
  return handle;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A 300×200 RGB PNG: the centre 200×200 square red, the strips either side green. */
function landscapePng(): Buffer {
  const [w, h] = [300, 200];
  const rows: Buffer[] = [];
  for (let y = 0; y < h; y++) {
    const row = Buffer.alloc(1 + w * 3);
    for (let x = 0; x < w; x++) {
      const inside = x >= 50 && x < 250;
      row.set(inside ? [220, 30, 30] : [30, 200, 60], 1 + x * 3);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(w, 0);
  header.writeUInt32BE(h, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

test("change the handle: it asks first, in place, listing each DNS name", async ({ page }) => {
  const handle = await newAccount(page, "nojs-hdl");
  const profile = `/user/${handle}/advanced/profile`;
  await page.goto(profile);
  const renamed = `${handle}-n`;
  const field = page.getByLabel("Handle", { exact: true });
  await field.fill(renamed);
  await page.locator("form:has(#new_handle)").getByRole("button", { name: "Save" }).click();

  // Nothing changed yet: the page asks, with the DNS name before and after.
  await expect(page).toHaveURL(new RegExp(`${profile}\\?new_handle=${renamed}$`));
  const confirm = page.getByRole("region", { name: "Change your handle?" });
  await expect(confirm.getByRole("row", { name: /^default / })).toContainText(`default-${handle}.us-east-1.db.`);
  await expect(confirm.getByRole("row", { name: /^default / })).toContainText(`default-${renamed}.us-east-1.db.`);
  await expect(field).toHaveValue(renamed);
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `test-results/screens/nojs-handle-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 720 });

  // Cancel changes nothing.
  await confirm.getByRole("link", { name: "Cancel" }).click();
  await expect(page).toHaveURL(new RegExp(`${profile}$`));
  await expect(page.getByLabel("Handle", { exact: true })).toHaveValue(handle);

  // A taken or broken handle is refused with the reason, and no button to go on.
  await page.goto(`${profile}?new_handle=admin`);
  await expect(page.locator("#handle-problem")).toContainText("reserved");
  await expect(page.getByText(/reserved/)).toHaveCount(1);
  await expect(page.getByRole("button", { name: "Change handle" })).toHaveCount(0);

  await page.goto(`${profile}?new_handle=${renamed}`);
  await page.getByRole("button", { name: "Change handle" }).click();
  await expect(page).toHaveURL(new RegExp(`/user/${renamed}/advanced/profile`));
  await expect(page.getByLabel("Handle", { exact: true })).toHaveValue(renamed);
  await page.goto(`/user/${renamed}`);
  await expect(page.locator('li.card[data-workspace="default"]')).toContainText(`default-${renamed}.us-east-1.db.`);
});

test("upload an avatar: the server keeps the centre square", async ({ page, browser }) => {
  const handle = await newAccount(page, "nojs-ava");
  await page.goto(`/user/${handle}/advanced/profile`);
  const before = await page.locator("header img.avatar").getAttribute("src");
  await page.getByLabel("Avatar image").setInputFiles({ name: "wide.png", mimeType: "image/png", buffer: landscapePng() });
  await page.getByRole("button", { name: "Upload" }).click();
  await expect(page).toHaveURL(new RegExp(`/user/${handle}/advanced/profile`));
  const src = await page.locator("header img.avatar").getAttribute("src");
  expect(src).not.toBe(before);
  expect(src).toMatch(/^\/avatar\/c\//);

  // Read the stored image's pixels where script runs: all red, no green strip.
  const viewer = await browser.newContext();
  const tab = await viewer.newPage();
  await tab.goto(new URL(src!, page.url()).toString());
  const colours = await tab.evaluate(async () => {
    const img = document.images[0];
    await img.decode();
    const c = document.createElement("canvas");
    [c.width, c.height] = [img.naturalWidth, img.naturalHeight];
    const x = c.getContext("2d")!;
    x.drawImage(img, 0, 0);
    const at = (px: number, py: number) => Array.from(x.getImageData(px, py, 1, 1).data.slice(0, 3));
    return { size: [c.width, c.height], corners: [at(1, 1), at(c.width - 2, 1), at(1, c.height - 2), at(c.width - 2, c.height - 2)] };
  });
  await viewer.close();
  expect(colours.size[0]).toBe(colours.size[1]);
  for (const [r, g] of colours.corners) {
    expect(r).toBeGreaterThan(180);
    expect(g).toBeLessThan(80);
  }

  // Reset brings the generated avatar back.
  await page.getByRole("button", { name: "Reset" }).click();
  await expect(page.locator("header img.avatar")).not.toHaveAttribute("src", /^\/avatar\/c\//);
});

test("Load more is a link to the next page of the Audit Log", async ({ page }) => {
  const handle = await newAccount(page, "nojs-aud");
  // More than a page of records: renames, posted as the console's form does.
  for (let i = 0; i < 30; i++) {
    const res = await page.request.post("/sfn/update_display_name", {
      headers: { "sec-fetch-site": "same-origin", accept: "application/json" },
      form: { handle, display_name: `No Script ${i}` },
    });
    expect(res.status()).toBe(200);
  }
  await page.goto(`/user/${handle}/activity`);
  const rows = page.locator(".audit-table tbody tr");
  await expect(rows).toHaveCount(25);
  await expect(rows.first()).toContainText("No Script 29");
  await page.getByRole("link", { name: "Load more" }).click();
  await expect(page).toHaveURL(/after=/);
  // The next page: the older records, none of the first page's again.
  await expect(rows.first()).not.toContainText("No Script 29");
  await expect(page.getByText("No Script 0", { exact: false }).first()).toBeVisible();
  await expect(rows.filter({ hasText: "user.create" })).toHaveCount(1);
  await expect(page.getByRole("link", { name: "Load more" })).toHaveCount(0);
});
