// What the browser tests do and read on the web client's pages, in one place,
// so the tests say what happens and not how the page is built.
//
//   const rig = webClientRig()       at the top of a test file: a real server serving
//                                    web/dist and Chromium, started before the tests
//                                    and stopped after; rig.server, rig.browser
//                                    ({ serverArgs }: more of the server's options)
//   await joinPage(person, link)     opens the invite, checks the microphone,
//                                    joins, waits for "Connected"
//   await phaseName(page)            the phase banner's (or in-room board's) title
//   await securityCode(page)         the digits shown, once the keys are in
//   await audioStats(page)           { sent, received: { [participantId]: frames } }
//   await heardFrom(page, id)        audio frames from participant `id` the page opened
//   await hears(page, id, frames)    waits until the page opened `frames` (10) more from `id`
//   await nextPhase(fac, people, name)
//                                    the facilitator presses Start/Next; waits until
//                                    every person's page shows phase `name`
//   await unlabelledControls(page)   the controls (buttons, fields, lists, meters)
//                                    with no accessible name; [] when all have one
//   await waitUntil(page, fn, what)  polls fn(page) until truthy (10 s)
import assert from "node:assert/strict";
import { after, before } from "node:test";

import { launchBrowser, waitFor } from "./browser.mjs";
import { startServer } from "./server.mjs";

export function webClientRig({ serverArgs = [] } = {}) {
  const rig = { server: null, browser: null };
  before(async () => {
    rig.server = await startServer({ args: serverArgs });
    assert.ok(rig.server.webRoot, "the server serves web/dist (build the web client first)");
    rig.browser = await launchBrowser();
  });
  after(async () => {
    await rig.browser?.close();
    await rig.server?.stop();
  });
  return rig;
}

export async function joinPage(person, link) {
  const { page } = person;
  page.on("dialog", (dialog) => void dialog.accept()); // "End the session for everyone?" and the like.
  await page.goto(link);
  await page.getByTestId("mic-check").click();
  await page.getByTestId("mic-status").filter({ hasText: "Microphone:" }).waitFor();
  await page.getByTestId("join").click();
  await page.getByTestId("connection").filter({ hasText: "Connected" }).waitFor();
}

export const phaseName = (page) => page.getByTestId("phase-name").first().textContent();

export async function securityCode(page) {
  return waitFor(
    async () => {
      const text = (await page.getByTestId("security-code").first().textContent())?.trim() ?? "";
      return /^(\d{5} ){7}\d{5}$/.test(text) ? text : null;
    },
    { what: "a security code on the page" },
  );
}

export const audioStats = (page) => page.evaluate(() => structuredClone(globalThis.balintAudioStats));

export const waitUntil = (page, fn, what, timeoutMs = 10_000) => waitFor(() => fn(page), { what, timeoutMs });

export const heardFrom = async (page, sender) => (await audioStats(page)).received[sender] ?? 0;

export async function hears(page, sender, frames = 10) {
  const start = await heardFrom(page, sender);
  await waitUntil(page, async (p) => (await heardFrom(p, sender)) >= start + frames, `frames from ${sender}`);
}

export async function nextPhase(facilitator, people, name) {
  await facilitator.page.getByRole("button", { name: /^(Start|Next): / }).click();
  for (const person of people) {
    await waitUntil(person.page, async (p) => (await phaseName(p)) === name, `${person.name} in ${name}`);
  }
}

export function unlabelledControls(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll("button, input, select, textarea, meter")]
      .filter((element) => {
        const byId = element.id ? document.querySelector(`label[for="${element.id}"]`)?.textContent : "";
        const name =
          element.getAttribute("aria-label") ||
          byId ||
          element.closest("label")?.textContent ||
          (element.tagName === "BUTTON" ? element.textContent : "");
        return !name?.trim();
      })
      .map((element) => element.outerHTML.slice(0, 120)),
  );
}

// --- video -----------------------------------------------------------------
//   await videoStats(page)           { sent, keyFramesSent, keyFrameRequests, joinedAt,
//                                      received: { [id]: chunks }, decoded: { [id]: frames },
//                                      drawnAt: { [id]: [Date.now()...] } }
//   await decodedFrom(page, id)      frames from `id`'s camera the page drew
//   await sees(page, id, frames)     waits until the page drew `frames` (10) more from `id`
//   await startCamera(person)        presses "Start camera"; waits for the self-view
//   await tileShows(page, id)        "on" or "off": whether `id`'s tile shows their picture
export const videoStats = (page) => page.evaluate(() => structuredClone(globalThis.balintVideoStats));

export const decodedFrom = async (page, sender) => (await videoStats(page)).decoded[sender] ?? 0;

export async function sees(page, sender, frames = 10, timeoutMs = 10_000) {
  const start = await decodedFrom(page, sender);
  await waitUntil(page, async (p) => (await decodedFrom(p, sender)) >= start + frames, `${frames} frames drawn from ${sender}`, timeoutMs);
}

export async function startCamera(person) {
  await person.page.getByRole("button", { name: "Start camera" }).click();
  await person.page.getByRole("button", { name: "Stop camera" }).waitFor();
  await waitUntil(person.page, async (p) => (await videoStats(p)).sent > 0, `${person.name}'s camera sending`);
}

export const tileShows = (page, id) => page.locator(`.tiles [data-participant="${id}"]`).getAttribute("data-video");
