// The live meeting as its people live it, in Chromium: the keyboard lands on
// the meeting, a double click on Next moves one phase (and Undo goes back),
// a raised hand reaches the top of the facilitator's screen with a notice
// and a count, the floor and a mute are announced to the member at once,
// whoever speaks is lit, talking into a muted microphone is pointed out,
// and on a phone the bar with the phase and the microphone stays in view
// however much chat arrives. axe finds nothing serious on any of it.
import assert from "node:assert/strict";
import { test } from "node:test";

import { seriousViolations } from "./support/axe.mjs";
import { screenshot } from "./support/browser.mjs";
import { joinPage, phaseName, waitUntil, webClientRig } from "./support/webClient.mjs";

const rig = webClientRig();

const announced = (page, words) =>
  waitUntil(page, async (p) => (await p.getByTestId("announcer").textContent()).includes(words), `"${words}" announced`);
const focusedTestId = (page) => page.evaluate(() => document.activeElement?.getAttribute("data-testid") ?? document.activeElement?.tagName);

test("hands, the floor, a mute, a double click and a phone, as the people in the meeting see them", async () => {
  const session = await rig.server.createSession({
    name: "Tuesday CCDG",
    format: "ccdg",
    invitees: [
      { id: "fac", name: "Dr Ada", role: "facilitator" },
      { id: "pre", name: "Dr Bo", role: "presenter" },
      { id: "m1", name: "Dr Cy", role: "participant" },
      { id: "m2", name: "Dr Di", role: "participant" },
    ],
  });
  const fac = await rig.browser.person("fac");
  const pre = await rig.browser.person("pre");
  const phone = await rig.browser.person("m1", { viewport: { width: 390, height: 844 } });
  const m2 = await rig.browser.person("m2");

  // The keyboard starts on the microphone check, then Join, then the meeting's first control.
  await fac.page.goto(session.link("fac"));
  await fac.page.getByTestId("mic-check").waitFor();
  assert.equal(await focusedTestId(fac.page), "mic-check");
  await fac.page.keyboard.press("Enter");
  await fac.page.getByTestId("mic-status").filter({ hasText: "Microphone:" }).waitFor();
  await waitUntil(fac.page, async (p) => (await focusedTestId(p)) === "join", "focus on Join after the check");
  await fac.page.keyboard.press("Enter");
  await fac.page.getByTestId("connection").filter({ hasText: "Connected" }).waitFor();
  await waitUntil(fac.page, (p) => p.evaluate(() => document.activeElement?.tagName === "BUTTON"), "focus on the meeting's first control");
  fac.page.on("dialog", (dialog) => void dialog.accept());
  for (const person of [pre, phone, m2]) await joinPage(person, session.link(person.name));
  const everyone = [fac, pre, phone, m2];
  const allIn = async (name) => {
    for (const person of everyone) await waitUntil(person.page, async (p) => (await phaseName(p)) === name, `${person.name} in ${name}`);
  };

  // A double click on Start, then on Next, moves one phase each time.
  await fac.page.getByRole("button", { name: "Start: Check-in" }).dblclick();
  await allIn("Check-in");
  await fac.page.getByRole("button", { name: "Next: Presentation" }).dblclick();
  await allIn("Presentation");
  await fac.page.waitForTimeout(2000); // Long enough for a second step to have shown.
  assert.equal(await phaseName(fac.page), "Presentation", "the double click moved one phase, not two");
  // The notice offers the way back.
  await fac.page.getByTestId("toast").getByText("Phase changed.").waitFor();
  await fac.page.getByTestId("toast-action").click();
  await allIn("Check-in");
  await screenshot(fac.page, "01-facilitator-after-undo");

  // A hand goes up: a notice, a count, and the queue at the top of the console, in order.
  await m2.page.getByRole("button", { name: "Raise hand" }).click();
  await fac.page.getByTestId("toast").getByText("Dr Di raised a hand").waitFor();
  await phone.page.getByRole("button", { name: "Raise hand" }).click();
  await fac.page.getByTestId("hand-count").getByText("Hands up: 2").waitFor();
  const queue = fac.page.getByTestId("hand-queue");
  assert.deepEqual(await queue.locator("li .who strong").allTextContents(), ["Dr Di", "Dr Cy"]);
  // Both read in one turn of the page, so a re-render between two reads cannot detach either.
  const [handsTop, consoleTop] = await fac.page.evaluate(() =>
    ["section.hands", "section.console"].map((s) => document.querySelector(s).getBoundingClientRect().y),
  );
  assert.ok(handsTop < consoleTop, `the hands (y=${handsTop}) above the console (y=${consoleTop})`);
  await screenshot(fac.page, "02-facilitator-console-with-hands");
  assert.deepEqual(await seriousViolations(fac.page), [], "axe on the facilitator's console");

  // One click gives the floor, one lowers; the member hears of it at once.
  await queue.getByRole("button", { name: "Give floor to Dr Di" }).click();
  await announced(m2.page, "You have the floor");
  assert.equal(await m2.page.getByTestId("my-state").textContent(), "You have the floor");
  await queue.getByRole("button", { name: "Lower hand for Dr Cy" }).click();
  await fac.page.getByText("No hands raised.").waitFor();
  assert.equal(await fac.page.getByTestId("hand-count").count(), 0);

  // Whoever speaks is lit on everyone's list, from what each page hears (the fake microphone's beeps).
  const lit = (page, id) => page.locator(`li[data-participant="${id}"][data-speaking]`).count();
  await waitUntil(fac.page, async (p) => (await lit(p, "m2")) > 0, "Dr Di lit as speaking on the facilitator's page");
  await waitUntil(m2.page, async (p) => (await lit(p, "fac")) > 0, "Dr Ada lit on Dr Di's page");
  await waitUntil(m2.page, async (p) => (await lit(p, "m2")) > 0, "Dr Di's own row lit by her microphone");
  await waitUntil(m2.page, (p) => p.getByTestId("my-level").evaluate((m) => m.value > 0), "Dr Di's own level moving");

  // A mute is announced, and talking into the muted microphone is pointed out.
  await fac.page.getByRole("button", { name: "Mute Dr Di" }).click();
  await announced(m2.page, "The facilitator muted you");
  assert.equal(await m2.page.getByTestId("my-state").textContent(), "Muted by a facilitator");
  await m2.page.getByTestId("muted-warning").filter({ hasText: "You are muted: nobody hears you" }).waitFor();
  await screenshot(m2.page, "03-member-muted-and-talking");
  assert.deepEqual(await seriousViolations(m2.page), [], "axe on a member's page");
  await fac.page.getByRole("button", { name: "Unmute Dr Di" }).click();
  await announced(m2.page, "The facilitator unmuted you");

  // On a phone, 30 chat lines later, the page has not moved and the bar is in view.
  const scrolled = () => phone.page.evaluate(() => window.scrollY);
  const before = await scrolled();
  for (let i = 1; i <= 30; i++) {
    await m2.page.getByRole("textbox", { name: "Message" }).fill(`Line ${i} of the check-in`);
    await m2.page.getByRole("button", { name: "Send" }).click();
  }
  await phone.page.getByTestId("chat-log").getByText("Line 30 of the check-in").waitFor();
  assert.equal(await scrolled(), before, "the chat scrolled its own panel, not the page");
  const statusBar = () =>
    phone.page.evaluate(() => {
      const r = document.querySelector('[data-testid="status-bar"]').getBoundingClientRect();
      return { y: r.y, height: r.height };
    });
  const bar = await statusBar();
  assert.ok(bar.y >= 0 && bar.y + bar.height <= 844, `the status bar in view (y=${bar.y}, height=${bar.height})`);
  // Scrolled right down, the bar is still on top of the screen.
  await phone.page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  const stuck = await statusBar();
  assert.ok(stuck.y >= 0 && stuck.y < 200, `the status bar stays at the top (y=${stuck.y})`);
  assert.match(await phone.page.getByTestId("status-bar").textContent(), /^Check-in \d+:\d\d/);
  assert.equal(await phone.page.getByTestId("my-state").textContent(), "You may speak");
  await phone.page.getByTestId("mic").waitFor();
  await phone.page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(phone.page, "04-phone");
  assert.deepEqual(await seriousViolations(phone.page), [], "axe on the phone");

  // The go-around: the turn is announced to its holder.
  await fac.page.getByRole("button", { name: "Next: Presentation" }).click();
  await allIn("Presentation");
  // Talking while the phase locks the microphone is pointed out too, with its reason.
  await phone.page.getByTestId("muted-warning").filter({ hasText: "Your microphone is locked now: nobody hears you" }).waitFor();
  await fac.page.getByRole("button", { name: "Next: Go-around" }).click();
  await allIn("Go-around");
  await fac.page.getByRole("button", { name: "Start round" }).click();
  await announced(phone.page, "It's your turn");
  assert.equal(await phone.page.getByTestId("my-state").textContent(), "Your turn");
  await phone.page.getByTestId("muted-warning").waitFor({ state: "hidden" });
  await screenshot(phone.page, "05-phone-your-turn");

  for (const person of everyone) assert.deepEqual(person.errors, [], `${person.name}'s console`);
});
