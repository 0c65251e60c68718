// The server's warnings reach the facilitator's console and nobody else's,
// and the console's time controls move the countdown every screen shows. A
// format of its own puts both warnings in force a second after the start: a
// first phase of 61 s (a minute left in the phase) in a session of 601 s
// (ten minutes to the end). Shorter ones are never warned about.
import assert from "node:assert/strict";
import { after, test } from "node:test";

import { screenshot } from "./support/browser.mjs";
import { joinCli } from "./support/cli.mjs";
import { joinPage, nextPhase, waitUntil, webClientRig } from "./support/webClient.mjs";

const rig = webClientRig();

// Seconds on a page's phase countdown ("0:28" is 28, "−0:05" is -5).
async function secondsLeft(page) {
  const text = await page.locator(".banner .countdown").textContent();
  const [m, s] = text.replace("−", "").split(":").map(Number);
  return (text.startsWith("−") ? -1 : 1) * (m * 60 + s);
}

test("warnings are shown to facilitators only, and extending a phase moves every countdown", async () => {
  const session = await rig.server.createSession({
    name: "Short group",
    format: {
      id: "short",
      name: "Short",
      phases: [
        { id: "talk", name: "Talk", plannedSeconds: 61, rule: "SPEAKING_RULE_EVERYONE" },
        { id: "more", name: "More talk", plannedSeconds: 540, rule: "SPEAKING_RULE_EVERYONE" },
        { id: "close", name: "Close", plannedSeconds: 0, rule: "SPEAKING_RULE_FACILITATORS_ONLY" },
      ],
    },
    invitees: [
      { id: "fac", name: "Dr Ada", role: "facilitator" },
      { id: "m1", name: "Dr Cy", role: "participant" },
    ],
  });
  const fac = await rig.browser.person("fac");
  const m1 = await rig.browser.person("m1");
  await joinPage(fac, session.link("fac"));
  await joinPage(m1, session.link("m1"));
  await nextPhase(fac, [fac, m1], "Talk");

  const warnings = fac.page.getByTestId("warnings");
  await warnings.getByText("One minute left in this phase").waitFor();
  await warnings.getByText("Ten minutes to the end of the session").waitFor();
  assert.equal(await m1.page.getByTestId("warnings").count(), 0, "members see no warnings");
  // The phase's warning counts down (and, past the end, on into "Over time by m:ss").
  await waitUntil(fac.page, async (p) => /^0:[0-5]\d left$/.test(await p.getByTestId("overtime").textContent()), "the warning's time left");
  await screenshot(fac.page, "01-facilitator-warnings");

  const before = await secondsLeft(m1.page);
  assert.ok(before <= 61 && before > 0, `a 61-second phase shows ${before} s`);
  await fac.page.getByRole("button", { name: "+1 min: give this phase one more minute" }).click();
  await waitUntil(m1.page, async (p) => (await secondsLeft(p)) > before + 50, "the member's countdown a minute longer");

  for (const person of [fac, m1]) assert.deepEqual(person.errors, [], `${person.name}'s console`);
});

test("an Undo on offer goes when another facilitator moves the phase, so it never undoes their step", async () => {
  const session = await rig.server.createSession({
    name: "Two leaders",
    format: "ccdg",
    invitees: [
      { id: "fac", name: "Dr Ada", role: "facilitator" },
      { id: "fac2", name: "Dr Eve", role: "facilitator" },
    ],
  });
  const ada = await rig.browser.person("ada");
  await joinPage(ada, session.link("fac"));
  // The second facilitator, in the C++ CLI: both lead, and either may move the phase.
  const eve = await joinCli(session.link("fac2"), { screen: false });
  after(() => eve.stop());
  await nextPhase(ada, [ada], "Check-in");
  await ada.page.getByRole("button", { name: "Next: Presentation" }).click();
  await ada.page.getByTestId("toast-action").waitFor();
  assert.equal(await eve.command("next"), "ok");
  await waitUntil(ada.page, async (p) => (await p.getByTestId("phase-name").first().textContent()) === "Go-around", "Dr Ada in Go-around");
  // Gone with the redraw, long before the notice's 8 s would be up.
  assert.equal(await ada.page.getByTestId("toast-action").count(), 0, "no Undo of Dr Eve's step on offer");
  assert.deepEqual(ada.errors, [], "Dr Ada's console");
});
