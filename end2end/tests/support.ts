// What the journeys share: reading the outbox the server writes mail to,
// and signing up through it as a person would.
import { CDPSession, expect, Locator, Page, test as base } from "@playwright/test";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { dataDir } from "../playwright.config";

/** A fresh address per journey, so journeys never meet. */
export function uniqueEmail(prefix: string): string {
  return `${prefix}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
}

/** A handle that follows the rule, unique per run. */
export function uniqueHandle(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
}

function decodeQuotedPrintable(raw: string): string {
  const joined = raw.replace(/=\r?\n/g, "");
  return joined.replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
}

/** The first match of `pattern` in the newest mail to `email` that has
 * one, if any has arrived (no waiting). */
export function findInMail(email: string, pattern: RegExp): string | undefined {
  const outbox = path.join(dataDir, "outbox");
  if (!fs.existsSync(outbox)) return undefined;
  const files = fs.readdirSync(outbox).sort().reverse();
  for (const f of files) {
    const mail = decodeQuotedPrintable(fs.readFileSync(path.join(outbox, f), "utf8"));
    if (mail.split(/\r?\n/).some((l) => l.toLowerCase() === `to: ${email}`)) {
      const m = mail.match(pattern);
      if (m) return m[1] ?? m[0];
    }
  }
  return undefined;
}

/** The first match of `pattern` in the newest mail to `email` that has
 * one, waiting for it to arrive; with `unlike`, for one whose match is
 * not that (a newer code than the one before). */
export async function fromMail(email: string, pattern: RegExp, what = "a mail", unlike?: string): Promise<string> {
  let found: string | undefined;
  await expect
    .poll(() => {
      found = findInMail(email, pattern);
      return found !== undefined && found !== unlike;
    }, { message: `${what} to ${email}` })
    .toBe(true);
  return found!;
}

/** The path of a link to this site (`/login/confirm`, `/email/undo`…) in
 * the newest mail to `email` that has one. */
export async function linkFor(email: string, linkPath: string): Promise<string> {
  const escaped = linkPath.replace(/[/.?]/g, (c) => `\\${c}`);
  const link = await fromMail(email, new RegExp(`https?://\\S+${escaped}\\?t=[A-Za-z0-9_-]+`), `a ${linkPath} link`);
  return new URL(link).pathname + new URL(link).search;
}

/** The sign-in link in the newest mail to `email`, waiting for it to arrive. */
export async function signInLinkFor(email: string): Promise<string> {
  return linkFor(email, "/login/confirm");
}

/** Asks for a link on /login as a person would. */
export async function requestLink(page: Page, email: string) {
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(email);
  await page.getByRole("button", { name: "Send sign-in link" }).click();
  await expect(page.getByRole("heading", { name: "Check your e-mail" })).toBeVisible();
}

/** Signs up a new account and lands on its account page. */
export async function signUp(page: Page, email: string, handle: string, name: string) {
  await requestLink(page, email);
  await page.goto(await signInLinkFor(email));
  await expect(page.getByRole("heading", { name: "Create your account" })).toBeVisible();
  await page.getByLabel("Handle").fill(handle);
  await page.getByLabel("Display Name").fill(name);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(new RegExp(`/user/${handle}$`));
  await expect(page.getByRole("heading", { name })).toBeVisible();
}

/** Waits until the page's WASM has hydrated it (buttons that need script work). */
export async function hydrated(page: Page) {
  await page.locator("body[data-hydrated]").waitFor({ state: "attached" });
}

/** Playwright's `test`, with a `page` whose `goto` and `reload` return once
 * the page they loaded is live (when scripts run and it is a console page):
 * a person's first click after a load lands on a hydrated page, however
 * busy the machine is. */
export const test = base.extend({
  page: async ({ page, javaScriptEnabled }, use) => {
    if (javaScriptEnabled !== false) {
      const live = async (response: Awaited<ReturnType<Page["goto"]>>) => {
        const html = response?.headers()["content-type"]?.startsWith("text/html") ?? false;
        if (html) {
          await page
            .locator("body[data-hydrated]")
            .waitFor({ state: "attached", timeout: 20_000 })
            .catch(() => undefined);
        }
        return response;
      };
      const goto = page.goto.bind(page);
      const reload = page.reload.bind(page);
      page.goto = async (url, options) => live(await goto(url, options));
      page.reload = async (options) => live(await reload(options));
    }
    await use(page);
  },
});

/** Runs a copied `psql "…"` command as a person pasting it would, with
 * `script` typed in. */
export function paste(command: string, script: string) {
  const run = spawnSync("bash", ["-c", `${command} -X -v ON_ERROR_STOP=1`], {
    input: script,
    encoding: "utf8",
    timeout: 20_000,
    env: { ...process.env, PGCONNECT_TIMEOUT: "5", PGPASSFILE: "/dev/null" },
  });
  return { ok: run.status === 0, out: run.stdout, err: run.stderr };
}

/** A platform authenticator that keeps passkeys and verifies its user. */
export async function virtualAuthenticator(page: Page): Promise<{ cdp: CDPSession; id: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, id: authenticatorId };
}

/** Presses Tab until `target` has the focus (it must be reachable). */
export async function tabTo(page: Page, target: Locator, limit = 80) {
  for (let i = 0; i < limit; i++) {
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`not reachable with Tab: ${target}`);
}
