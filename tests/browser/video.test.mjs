// Video in Chromium, from the fake camera (a moving test pattern), encoded
// by WebCodecs, sealed by each page and forwarded by the server by rule:
// four members see each other's faces; the presenter's tile goes dark in
// the observation when the facilitator holds the camera back, and comes
// back at re-entry; a facilitator stops a camera and lets it start again;
// a newcomer sees every camera within a second of joining; six people, one
// with the camera off.
import assert from "node:assert/strict";
import { test } from "node:test";

import { screenshot } from "./support/browser.mjs";
import { decodedFrom, joinPage, nextPhase, sees, startCamera, tileShows, videoStats, waitUntil, webClientRig } from "./support/webClient.mjs";

const rig = webClientRig();

// Frames drawn from `sender` on `page` over `ms`.
async function drawnOver(page, sender, ms) {
  const start = await decodedFrom(page, sender);
  await page.waitForTimeout(ms);
  return (await decodedFrom(page, sender)) - start;
}

const waitForTile = (page, id, shows) => waitUntil(page, async (p) => (await tileShows(p, id)) === shows, `${id}'s tile ${shows}`);

test("faces in tiles: everyone sees everyone, the presenter's camera is held back in the observation, a facilitator stops one", async () => {
  const session = await rig.server.createSession({
    name: "Thursday Balint group",
    format: "balint",
    invitees: [
      { id: "fac", name: "Dr Ada Lovelace", role: "facilitator" },
      { id: "pre", name: "Dr Bo Chen", role: "presenter" },
      { id: "m1", name: "Dr Cy Okafor", role: "participant" },
      { id: "m2", name: "Dr Di Novak", role: "participant" },
      { id: "m3", name: "Dr Eli Sato", role: "participant" },
      { id: "m4", name: "Dr Fay Ruiz", role: "participant" },
    ],
  });
  const people = [];
  for (const id of ["fac", "pre", "m1", "m2"]) {
    const person = await rig.browser.person(id);
    await joinPage(person, session.link(id));
    people.push(person);
  }
  const [fac, pre, m1, m2] = people;

  // Before any camera: a tile with initials for each of the others.
  await waitForTile(m2.page, "fac", "off");
  assert.equal(await m2.page.locator('.tiles [data-participant="fac"] .face').textContent(), "AL", "initials, titles left out");

  for (const person of people) await startCamera(person);
  for (const viewer of people)
    for (const sender of people)
      if (viewer !== sender) {
        await waitForTile(viewer.page, sender.name, "on");
        await sees(viewer.page, sender.name, 10);
      }
  await screenshot(m2.page, "01-four-cameras");
  const sent = await videoStats(m1.page);
  assert.ok(sent.keyFramesSent >= 1 && sent.keyFramesSent < sent.sent, `key frames and deltas (${sent.keyFramesSent} of ${sent.sent})`);

  // The facilitator holds the presenter's camera back for the observation.
  await fac.page.getByTestId("presenter-camera").selectOption({ label: "Off: the server holds it back" });
  await waitUntil(fac.page, async (p) => (await p.getByTestId("presenter-camera").inputValue()) === "2", "the policy applied");
  await nextPhase(fac, people, "Presentation");
  await nextPhase(fac, people, "Questions");
  await sees(m1.page, "pre", 5);
  await nextPhase(fac, people, "Observation");
  for (const viewer of [fac, m1, m2]) await waitForTile(viewer.page, "pre", "off");
  assert.match(await m1.page.locator('.tiles [data-participant="pre"] figcaption').textContent(), /camera paused in the observation/);
  await waitUntil(pre.page, async (p) => /paused while the group discusses your case/.test(await p.getByTestId("camera-reason").textContent()), "the presenter told why");
  assert.ok((await drawnOver(m1.page, "pre", 1500)) <= 1, "no frame of the presenter drawn in the observation");
  await sees(m1.page, "m2", 5); // The others' cameras go on.
  await screenshot(pre.page, "02-presenter-paused");

  await nextPhase(fac, people, "Re-entry");
  await waitForTile(m1.page, "pre", "on");
  await sees(m1.page, "pre", 10);
  assert.equal(await pre.page.getByTestId("camera-reason").textContent(), "");

  // A facilitator stops a member's video (the server forwards none), then allows it again.
  await fac.page.getByRole("button", { name: "Stop video for Dr Cy Okafor" }).click();
  await waitForTile(m2.page, "m1", "off");
  assert.match(await m2.page.locator('.tiles [data-participant="m1"] figcaption').textContent(), /video stopped by a facilitator/);
  await waitUntil(m1.page, async (p) => /A facilitator stopped your video/.test(await p.getByTestId("camera-reason").textContent()), "the member told");
  assert.ok((await drawnOver(m2.page, "m1", 1500)) <= 1, "no frame of a stopped camera drawn");
  await fac.page.getByRole("button", { name: "Allow video for Dr Cy Okafor" }).click();
  await waitForTile(m2.page, "m1", "on");
  await sees(m2.page, "m1", 10);

  // A newcomer sees every camera within a second of joining (a key frame asked for each).
  const late = await rig.browser.person("m3");
  await joinPage(late, session.link("m3"));
  for (const sender of people) await waitUntil(late.page, async (p) => (await decodedFrom(p, sender.name)) > 0, `the newcomer sees ${sender.name}`);
  const stats = await videoStats(late.page);
  const waits = people.map((p) => stats.drawnAt[p.name][0] - stats.joinedAt);
  console.log(`# newcomer's first frame of each camera after joining: ${waits.join(", ")} ms`);
  for (const wait of waits) assert.ok(wait <= 1000, `each camera within 1 s of joining (${waits.join(", ")} ms)`);

  // Six people, one with the camera off: the picture in the README.
  await startCamera(late);
  const last = await rig.browser.person("m4");
  await joinPage(last, session.link("m4"));
  for (const sender of [fac, pre, m1, late]) await sees(m2.page, sender.name, 5);
  await waitForTile(m2.page, "m4", "off");
  await m2.page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(m2.page, "03-six-people");
});
