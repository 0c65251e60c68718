// The Balint group's observation in Chromium: the presenter's microphone and
// chat are locked and say why, nothing of theirs reaches the group, and both
// come back at re-entry. Then a member's network drops and comes back: the
// page says so, reconnects by itself and shows the phase the group is in now.
import assert from "node:assert/strict";
import { after, test } from "node:test";

import { screenshot } from "./support/browser.mjs";
import { startProxy } from "./support/proxy.mjs";
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
  // The member's network runs through a relay the test can cut.
  const proxy = await startProxy(rig.server.url);
  after(() => proxy.close());
  await joinPage(fac, session.link("fac"));
  await joinPage(pre, session.link("pre"));
  await joinPage(m1, session.link("m1").replace(rig.server.url, proxy.url));

  const next = (phase) => nextPhase(fac, [fac, pre, m1], phase);
  await next("Presentation");
  await next("Questions");
  await hears(m1.page, "pre");
  await next("Observation");

  const mic = pre.page.getByTestId("mic");
  assert.equal(await mic.textContent(), "Microphone locked");
  assert.equal(await mic.isDisabled(), true);
  assert.equal(await pre.page.getByTestId("mic-reason").textContent(), "You observe in silence during this phase.");
  const chatBox = pre.page.getByRole("textbox", { name: "Message" });
  assert.equal(await chatBox.isDisabled(), true);
  assert.equal(await chatBox.getAttribute("placeholder"), "Chat is paused for you in this phase");
  assert.match(await pre.page.getByTestId("phase-rule").textContent(), /Dr Bo listens in silence/);

  const before = await heardFrom(m1.page, "pre");
  await hears(fac.page, "m1", 25); // The group is heard meanwhile.
  assert.equal(await heardFrom(m1.page, "pre"), before, "no frame of the presenter's reaches the group");
  await screenshot(pre.page, "01-presenter-observing-in-silence");

  await next("Re-entry");
  assert.equal(await mic.textContent(), "Microphone on");
  assert.equal(await chatBox.isDisabled(), false);
  await hears(m1.page, "pre");

  // The member's network goes away; the group moves on meanwhile.
  proxy.drop();
  await m1.page.getByTestId("connection").filter({ hasText: "reconnecting" }).waitFor();
  await screenshot(m1.page, "02-member-reconnecting");
  await fac.page.getByRole("button", { name: /^Next: / }).click();
  await waitUntil(fac.page, async (p) => (await phaseName(p)) === "Close", "the facilitator in Close");
  proxy.restore();
  await m1.page.getByTestId("connection").filter({ hasText: "Connected" }).waitFor({ timeout: 15_000 });
  await waitUntil(m1.page, async (p) => (await phaseName(p)) === "Close", "the member back, in Close");
  await m1.page.getByTestId("chat-log").getByText(/^Reconnected\./).waitFor();
  await screenshot(m1.page, "03-member-reconnected");

  for (const person of [fac, pre]) assert.deepEqual(person.errors, [], `${person.name}'s console`);
  // The cut connection (the socket, and the link checks while it was cut) is
  // the one error the member's console may show.
  assert.deepEqual(m1.errors.filter((e) => !/WebSocket|Failed to load resource: net::/.test(e)), [], "the member's console");
});
