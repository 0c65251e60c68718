// The server restarts during a session (SIGTERM, then started again on the
// same port and data directory): every page says the server is restarting,
// comes back by itself, and shows the session as it was.
import assert from "node:assert/strict";
import { test } from "node:test";

import { screenshot } from "./support/browser.mjs";
import { joinPage, nextPhase, phaseName, waitUntil, webClientRig } from "./support/webClient.mjs";

const rig = webClientRig();

test("a server restart is waited out, and the session is as it was", async () => {
  const session = await rig.server.createSession({
    name: "Thursday Balint group",
    format: "balint",
    invitees: [
      { id: "fac", name: "Dr Ada", role: "facilitator" },
      { id: "m1", name: "Dr Cy", role: "participant" },
    ],
  });
  const fac = await rig.browser.person("fac");
  const m1 = await rig.browser.person("m1");
  await joinPage(fac, session.link("fac"));
  await joinPage(m1, session.link("m1"));
  await nextPhase(fac, [fac, m1], "Presentation");
  await m1.page.getByRole("button", { name: "Raise hand" }).click();
  const hand = (person) => person.page.getByText("hand raised (1)");
  await hand(fac).waitFor();

  await rig.server.terminate();
  for (const person of [fac, m1]) {
    await person.page.getByTestId("connection").filter({ hasText: "The server is restarting: reconnecting…" }).waitFor();
  }
  await screenshot(m1.page, "01-member-server-restarting");

  await rig.server.startAgain();
  for (const person of [fac, m1]) {
    await person.page.getByTestId("connection").filter({ hasText: "Connected" }).waitFor({ timeout: 15_000 });
    await waitUntil(person.page, async (p) => (await phaseName(p)) === "Presentation", `${person.name} back, in Presentation`);
    await hand(person).waitFor();
  }
  await screenshot(m1.page, "02-member-back-after-restart");

  // While the server was away, the attempts to reach it (the socket, the
  // link checks) are the only errors a console may show.
  for (const person of [fac, m1]) {
    assert.deepEqual(person.errors.filter((e) => !/WebSocket|Failed to load resource: net::/.test(e)), [], `${person.name}'s console`);
  }
});
