// Debian's Chromium, headless, driven by playwright-core (which downloads no
// browser of its own), with one browser context per person so that each has
// their own storage, microphone permission and WebSocket.
//
//   const browser = await launchBrowser();      // one per test file is enough
//   const ada = await browser.person("ada");    // { name, context, page, errors }
//       options: { viewport: { width, height } } (default 1280x800)
//       ada.page     a playwright Page in ada's own context, microphone allowed
//                    (a fake device: --use-fake-device-for-media-stream)
//       ada.errors   strings, one per console error or uncaught page error of
//                    every page in ada's context (but the 404 of Chromium's own
//                    /favicon.ico request); assert.deepEqual(ada.errors, [])
//   await browser.close()                       closes every context, then Chromium;
//                                               prints where the screenshots are
//   browser.playwright                          the underlying playwright Browser
//
//   await screenshot(page, "after-join")        writes <file>--after-join.png into
//                                               outputDir() and returns its path
//                                               (<file>: the test file's name)
//   watchErrors(page, errors)                   what person() does for its page; for
//                                               other pages, e.g. a popup
//   await waitFor(() => value, { timeoutMs, intervalMs, what })
//                                               polls until the function returns (or
//                                               resolves to) something truthy and
//                                               returns it; throws "timed out after
//                                               N ms waiting for <what>" otherwise
//
// The browser is $CHROMIUM, else /usr/bin/chromium (Debian's package chromium).
// Each launch gets a fresh temporary profile (playwright's own), removed on close.
import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import { chromium } from "playwright-core";

import { outputDir } from "./paths.mjs";

export { outputDir };

const chromiumFlags = [
  // The tests run as root in containers, where Chromium's sandbox cannot start.
  "--no-sandbox",
  "--disable-gpu",
  // No update checks, sync or other traffic to the outside: CI has no route there.
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  // getUserMedia without a prompt, from a fake device that plays a tone.
  "--use-fake-ui-for-media-stream",
  "--use-fake-device-for-media-stream",
  // Audio elements may play without a click.
  "--autoplay-policy=no-user-gesture-required",
];

export function chromiumPath() {
  const path = process.env.CHROMIUM || "/usr/bin/chromium";
  if (!existsSync(path)) {
    throw new Error(`no Chromium at ${path}: install Debian's package (bash deploy/install-deps.sh) or set CHROMIUM`);
  }
  return path;
}

export function watchErrors(page, errors = []) {
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const where = message.location();
    // Chromium asks every origin for /favicon.ico by itself, and logs its 404
    // as an error; that is not the page's doing (an icon the page links is).
    if (/\/favicon\.ico$/.test(where.url ?? "")) return;
    errors.push(`console: ${message.text()}${where.url ? ` (${where.url}:${where.lineNumber})` : ""}`);
  });
  page.on("pageerror", (error) => errors.push(`page error: ${error.stack || error.message}`));
  return errors;
}

let screenshotsTaken = 0;

// Names are prefixed with the test file's own name (node --test runs each file
// in its own process), so two files cannot overwrite each other's pictures.
export async function screenshot(page, name) {
  const file = basename(process.argv[1] || "test", ".mjs").replace(/\.test$/, "");
  const safe = String(name).replace(/[^A-Za-z0-9._-]+/g, "-");
  const path = join(outputDir(), `${file}--${safe}.png`);
  await page.screenshot({ path, fullPage: true });
  screenshotsTaken += 1;
  return path;
}

export async function waitFor(check, { timeoutMs = 5000, intervalMs = 50, what = "a condition" } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export async function launchBrowser() {
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: chromiumFlags,
    timeout: 30_000,
  });
  const contexts = [];

  return {
    playwright: browser,

    async person(name, { viewport = { width: 1280, height: 800 } } = {}) {
      const context = await browser.newContext({ viewport, permissions: ["microphone"] });
      contexts.push(context);
      const errors = [];
      context.on("page", (page) => watchErrors(page, errors));
      const page = await context.newPage();
      return { name, context, page, errors };
    },

    async close() {
      for (const context of contexts) await context.close().catch(() => {});
      await browser.close();
      if (screenshotsTaken > 0) console.log(`screenshots: ${outputDir()}`);
    },
  };
}
