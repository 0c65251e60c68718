// Video on a weak link, in Chromium: a member whose connection carries less
// than the others' cameras keeps hearing everyone, soon, while their video
// gives way (the server drops video first, never audio), and can choose
// audio only; and what a member hears and sees of a speaker plays in step
// (within 150 ms: each frame timestamped when sent, and when it plays or is
// drawn).
import assert from "node:assert/strict";
import { after, test } from "node:test";

import { startWeakLink } from "./support/weakLink.mjs";
import { audioStats, joinPage, sees, startCamera, videoStats, waitUntil, webClientRig } from "./support/webClient.mjs";

const rig = webClientRig();

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

// How long after sending the last frames of `sender` played (audio) and were
// drawn (video) on `viewer`, once the sender stopped: matched from the end.
async function delays(sender, viewer) {
  await viewer.page.waitForTimeout(1500); // What was on the way has come.
  const sent = { audio: (await audioStats(sender.page)).sentAt, video: (await videoStats(sender.page)).sentAt };
  const got = { audio: (await audioStats(viewer.page)).playAt[sender.name], video: (await videoStats(viewer.page)).drawnAt[sender.name] };
  const tail = (at, from) => at.slice(-20).map((t, i, all) => t - from[from.length - all.length + i]);
  return { audio: median(tail(got.audio, sent.audio)), video: median(tail(got.video, sent.video)) };
}

async function stopSending(person) {
  await person.page.getByRole("button", { name: "Microphone on" }).click();
  await person.page.getByRole("button", { name: "Stop camera" }).click();
}

// What `viewer` got of `sender` over `ms`, against what `sender` sent: [audio, video] as fractions.
async function deliveredOver(viewer, sender, ms) {
  const take = async () => ({
    audioSent: (await audioStats(sender.page)).sent,
    videoSent: (await videoStats(sender.page)).sent,
    audioGot: (await audioStats(viewer.page)).received[sender.name] ?? 0,
    videoGot: (await videoStats(viewer.page)).received[sender.name] ?? 0,
  });
  const a = await take();
  await viewer.page.waitForTimeout(ms);
  const b = await take();
  return [(b.audioGot - a.audioGot) / (b.audioSent - a.audioSent), (b.videoGot - a.videoGot) / (b.videoSent - a.videoSent)];
}

const fixed = (fractions) => fractions.map((f) => f.toFixed(2));

test("a weak link keeps the audio and loses video first; audio only on request; sound and picture in step", async () => {
  const session = await rig.server.createSession({
    name: "Monday CCDG",
    format: "ccdg",
    invitees: [
      { id: "fac", name: "Dr Ada", role: "facilitator" },
      { id: "s1", name: "Dr Bo", role: "participant" },
      { id: "s2", name: "Dr Cy", role: "participant" },
      { id: "rx", name: "Dr Di", role: "participant" },
    ],
  });
  // 40 kB/s (320 kbit/s) towards Dr Di: the others' audio fits, three cameras (about 55 kB/s) do not.
  const link = await startWeakLink(rig.server.url);
  after(() => link.close());
  const senders = [];
  for (const id of ["fac", "s1", "s2"]) {
    const person = await rig.browser.person(id);
    await joinPage(person, session.link(id));
    senders.push(person);
  }
  const [fac, s1] = senders;
  const rx = await rig.browser.person("rx");
  await joinPage(rx, session.link("rx").replace(rig.server.url, link.url));
  for (const sender of senders) await startCamera(sender);
  for (const sender of senders) await sees(fac === sender ? s1.page : fac.page, sender.name, 10);

  // The weak link: the audio keeps coming, the video gives way.
  link.limit(40_000);
  await rx.page.waitForTimeout(3000); // Until what the link cannot carry has backed up into the server.
  const weak = await deliveredOver(rx, fac, 6000);
  const full = await deliveredOver(s1, fac, 3000);
  console.log(`# delivered of Dr Ada's audio and video: ${fixed(full).join(", ")} on a full link, ${fixed(weak).join(", ")} at 40 kB/s`);
  assert.ok(full[0] >= 0.95 && full[1] >= 0.95, `everything on a full link (${fixed(full)})`);
  assert.ok(weak[0] >= 0.9, `the audio keeps coming on the weak link (${fixed(weak)})`);
  assert.ok(weak[1] <= 0.7, `the video gives way (${fixed(weak)})`);
  assert.ok((await videoStats(rx.page)).decoded.fac > 0, "some of it still drawn");

  // Sound and picture of Dr Bo in step on Dr Ada's page; on the weak link the sound comes soon still.
  await stopSending(s1);
  const inStep = await delays(s1, fac);
  const onWeakLink = await delays(s1, rx);
  console.log(
    `# Dr Bo on Dr Ada's page: heard after ${inStep.audio.toFixed(0)} ms, seen after ${inStep.video.toFixed(0)} ms; ` +
      `on the weak link heard after ${onWeakLink.audio.toFixed(0)} ms`,
  );
  assert.ok(inStep.audio > 0 && inStep.video > 0, "the tails match up");
  assert.ok(Math.abs(inStep.video - inStep.audio) <= 150, `sound and picture within 150 ms (${(inStep.video - inStep.audio).toFixed(0)} ms)`);
  assert.ok(onWeakLink.audio < 1500, `the weak link's sound is late by little (${onWeakLink.audio.toFixed(0)} ms)`);

  // Audio only: no video comes; then it is back from a key frame.
  await rx.page.getByRole("button", { name: "Audio only" }).click();
  await rx.page.getByRole("button", { name: "Show video" }).waitFor();
  await rx.page.waitForTimeout(1500); // What was on the way has come.
  const paused = await deliveredOver(rx, fac, 3000);
  assert.ok(paused[1] === 0 && paused[0] >= 0.9, `audio only: ${fixed(paused)}`);
  assert.equal(await rx.page.locator(".tiles [data-video=on]").count(), 0, "no pictures while paused");
  await rx.page.getByRole("button", { name: "Show video" }).click();
  await sees(rx.page, "fac", 5);
  await waitUntil(rx.page, async (p) => (await p.locator(".tiles [data-video=on]").count()) === 2, "the two cameras still on, shown again");
});
