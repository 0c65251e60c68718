// The Balint group's observation in Chromium: the presenter's microphone and
// chat with the group are locked and say why (a screen reader hears it at
// the moment it happens), nothing of theirs reaches the group, a private word
// to the facilitator still does, and everything comes back at re-entry. Then
// a member's network dies without a close (dead Wi-Fi): the page says so
// within 5 s, reconnects by itself and shows the phase the group is in now.
import assert from "node:assert/strict";
import { after, test } from "node:test";

import { seriousViolations } from "./support/axe.mjs";
import { screenshot } from "./support/browser.mjs";
// The SDK's TCP relay, from its build (deploy/test.sh builds the SDK first).
import { startRelay } from "../../client-sdk/ts/dist/test-support/relay.js";
import { heardFrom, hears, joinPage, nextPhase, phaseName, waitUntil, webClientRig } from "./support/webClient.mjs";

const rig = webClientRig();

test("the presenter observes in silence, and a dropped connection comes back by itself", async () => {
  const session = await rig.server.createSession({
    name: "Thursday Balint group",
    format: "balint",
    invitees: [
      { id: "fac", name: "Dr Ada", role: "facilitator" },
      { id: "pre", name: "Dr Bo", role: "presenter" },
      { id: "m1", name: "Dr Cy", role: "participant" },
    ],
  });
  const fac = await rig.browser.person("fac");
  const pre = await rig.browser.person("pre");
  const m1 = await rig.browser.person("m1");
  // The member's network runs through a relay the test can stall.
  const relay = await startRelay(rig.server.url);
  after(() => relay.close());
  await joinPage(fac, session.link("fac"));
  await joinPage(pre, session.link("pre"));
  await joinPage(m1, session.link("m1").replace(rig.server.url, relay.url));

  // The facilitator holds the presenter's camera back for the observation (the server keeps it).
  const camera = fac.page.getByTestId("presenter-camera");
  assert.equal(await camera.inputValue(), "1", "on by default");
  const shown = await camera.elementHandle();
  await camera.selectOption({ label: "Off: the server holds it back" });
  // Redrawn from the next state: the value is then the server's, not the click's.
  await waitUntil(fac.page, () => shown.evaluate((e) => !e.isConnected), "the console redrawn from the new state");
  assert.equal(await camera.inputValue(), "2");
  assert.equal(await camera.evaluate((e) => e.dataset.touched === undefined), true, "shown from the server's state, not kept from the click");

  // Balint has no go-around: the console offers none of its controls.
  assert.equal(await fac.page.getByRole("button", { name: "Build from roster" }).count(), 0);
  assert.equal(await fac.page.getByTestId("go-around").count(), 0);
  const next = (phase) => nextPhase(fac, [fac, pre, m1], phase);
  await next("Presentation");
  await next("Questions");
  await hears(m1.page, "pre");
  await next("Observation");

  // A calm observing state, said aloud, with nothing on offer that the server would refuse.
  const mic = pre.page.getByTestId("mic");
  assert.equal(await mic.textContent(), "Microphone locked");
  assert.equal(await pre.page.getByRole("button", { name: /^Microphone/ }).count(), 0);
  assert.equal(await pre.page.getByTestId("my-state").textContent(), "Observing in silence");
  await waitUntil(pre.page, async (p) => /You observe in silence until Re-entry/.test(await p.getByTestId("announcer").textContent()), "the observation announced");
  assert.equal(await pre.page.getByTestId("announcer").getAttribute("aria-live"), "polite");
  assert.equal(await pre.page.getByRole("button", { name: "Raise hand" }).count(), 0, "no hand the server would refuse");
  assert.equal(await pre.page.getByTestId("mic-reason").textContent(), "You observe in silence during this phase.");
  assert.match(await pre.page.getByTestId("phase-rule").textContent(), /Dr Bo listens in silence/);

  // Chat with the group is paused, but a word to the facilitator still goes.
  const chatBox = pre.page.getByRole("textbox", { name: "Message" });
  assert.equal(await chatBox.isDisabled(), false);
  assert.equal(await chatBox.getAttribute("placeholder"), "Chat with the group is paused in this phase: write privately to a facilitator");
  assert.deepEqual(await pre.page.getByLabel("Send to").locator("option").allTextContents(), ["Dr Ada"]);
  await chatBox.fill("I can't hear the room well");
  await pre.page.getByRole("button", { name: "Send" }).click();
  await fac.page.getByTestId("chat-log").getByText("I can't hear the room well").waitFor();
  assert.match(await fac.page.getByTestId("chat-log").locator("li.direct").last().textContent(), /Dr Bo/);

  const before = await heardFrom(m1.page, "pre");
  await hears(fac.page, "m1", 25); // The group is heard meanwhile.
  assert.equal(await heardFrom(m1.page, "pre"), before, "no frame of the presenter's reaches the group");
  await screenshot(pre.page, "01-presenter-observing-in-silence");
  assert.deepEqual(await seriousViolations(pre.page), [], "axe on the observing presenter's page");

  await next("Re-entry");
  assert.equal(await mic.textContent(), "Microphone on");
  assert.equal(await pre.page.getByTestId("my-state").textContent(), "You may speak");
  assert.equal(await chatBox.getAttribute("placeholder"), "Write a message");
  // The pause had put the message on the facilitator; with the pause over it is for the group again.
  assert.equal(await pre.page.getByLabel("Send to").locator("option:checked").textContent(), "Everyone");
  await hears(m1.page, "pre");
  assert.equal(await m1.page.getByTestId("chat-log").getByText("I can't hear the room well").count(), 0, "the group never saw the private word");

  // The member's network stops carrying anything, and nothing closes: the
  // page hears no heartbeat and says so, the server marks them away; the group moves on meanwhile.
  const cut = Date.now();
  relay.stall();
  await m1.page.getByTestId("connection").filter({ hasText: "reconnecting" }).waitFor({ timeout: 7_000 });
  const seenByMember = Date.now() - cut;
  await fac.page.getByTestId("roster").getByText("reconnecting…").waitFor({ timeout: 12_000 });
  const seenByFacilitator = Date.now() - cut;
  console.log(`# a stalled network: seen by the member after ${seenByMember} ms, by the facilitator after ${seenByFacilitator} ms`);
  assert.ok(seenByMember <= 5_000, `the member knew after ${seenByMember} ms`); // 4 s of silence, the next watchdog tick, the page.
  assert.ok(seenByFacilitator <= 11_000, `the facilitator knew after ${seenByFacilitator} ms`);
  await screenshot(m1.page, "02-member-reconnecting");
  await fac.page.getByRole("button", { name: /^Next: / }).click();
  await waitUntil(fac.page, async (p) => (await phaseName(p)) === "Close", "the facilitator in Close");
  relay.restore();
  await m1.page.getByTestId("connection").filter({ hasText: "Connected" }).waitFor({ timeout: 15_000 });
  await waitUntil(m1.page, async (p) => (await phaseName(p)) === "Close", "the member back, in Close");
  await m1.page.getByTestId("chat-log").getByText(/^Reconnected\./).waitFor();
  await screenshot(m1.page, "03-member-reconnected");

  for (const person of [fac, pre]) assert.deepEqual(person.errors, [], `${person.name}'s console`);
  // The cut connection (the socket, and the link checks while it was cut) is
  // the one error the member's console may show.
  assert.deepEqual(m1.errors.filter((e) => !/WebSocket|Failed to load resource: net::/.test(e)), [], "the member's console");
});
