// A whole Clinical Case Discussion Group in Chromium: a facilitator, a
// presenter and two members in browser windows of their own, a meeting-room
// display carrying one attendee, and a member on the C++ SDK (balint-cli).
// The facilitator runs every phase from the console; the test checks what
// each screen shows, who is heard (counting the audio frames each page
// opened, per sender), the turn prompts, chat between the browser and the
// C++ client both ways, and that the end wipes the chat.
import assert from "node:assert/strict";
import { test } from "node:test";

import { seriousViolations } from "./support/axe.mjs";
import { screenshot } from "./support/browser.mjs";
import { joinCli } from "./support/cli.mjs";
import {
  heardFrom,
  hears,
  joinPage,
  nextPhase,
  phaseName,
  securityCode,
  unlabelledControls,
  waitUntil,
  webClientRig,
} from "./support/webClient.mjs";

const rig = webClientRig();

const everyPhase = ["Check-in", "Presentation", "Go-around", "Open discussion", "Wrap-up"];

test("a CCDG session through every phase, in four browsers, a room display and a C++ client", async () => {
  const session = await rig.server.createSession({
    name: "Tuesday group",
    format: "ccdg",
    ground_rules: "What is said here stays here.",
    invitees: [
      { id: "fac", name: "Dr Ada", role: "facilitator" },
      { id: "pre", name: "Dr Bo", role: "presenter" },
      { id: "m1", name: "Dr Cy", role: "participant" },
      { id: "m2", name: "Dr Di", role: "participant" },
      { id: "room", name: "Room 3", role: "room" },
      { id: "cpp", name: "Dr Eli", role: "participant" },
    ],
  });
  const fac = await rig.browser.person("fac");
  const pre = await rig.browser.person("pre");
  const m1 = await rig.browser.person("m1");
  const m2 = await rig.browser.person("m2", { viewport: { width: 390, height: 844 } }); // A phone.
  const room = await rig.browser.person("room", { viewport: { width: 1600, height: 900 } }); // A projector.
  const browsers = [fac, pre, m1, m2, room];

  // --- Joining ---------------------------------------------------------------
  await m1.page.goto(session.link("m1"));
  await m1.page.getByText("You are joining Tuesday group as Dr Cy (participant).").waitFor();
  await m1.page.getByTestId("mic-check").click();
  await m1.page.getByTestId("mic-status").filter({ hasText: "Microphone:" }).waitFor();
  await screenshot(m1.page, "01-join-with-microphone-check");
  await m1.page.getByTestId("join").click();
  for (const person of [fac, pre, m2, room]) await joinPage(person, session.link(person.name));
  const eli = await joinCli(session.link("cpp"), { screen: false });

  await m1.page.getByTestId("chat-notice").filter({ hasText: "Membership changed: compare the security code again." }).waitFor();
  // The C++ client joined last, with everyone's keys in its first roster:
  // every screen must come to show its code (and then stay on it).
  const code = await eli.securityCode();
  for (const person of browsers) {
    await waitUntil(person.page, async (p) => (await securityCode(p)) === code, `${person.name} showing the C++ client's code`);
    assert.equal(await phaseName(person.page), "Waiting to start");
  }
  assert.equal(await securityCode(fac.page), code, "the code stays once everyone is in");
  await screenshot(fac.page, "02-facilitator-before-start");
  const phaseChoices = await fac.page.getByLabel("Phase to jump to").locator("option").allTextContents();
  assert.deepEqual(phaseChoices, everyPhase.map((name, i) => `${i + 1}. ${name}`));

  // The room adds the person sitting in it; they have no keys, so the code stays.
  await room.page.getByLabel("Name").fill("Dr Fay");
  await room.page.getByRole("button", { name: "Add to the room" }).click();
  await room.page.getByTestId("attendees").getByText("Dr Fay").waitFor();
  await fac.page.getByTestId("roster").getByText("Dr Fay").waitFor();

  const next = (phase) => nextPhase(fac, browsers, phase);

  // --- Check-in: ground rules, everyone speaks, chat both ways ---------------
  await next("Check-in");
  await m1.page.getByTestId("ground-rules").getByText("What is said here stays here.").waitFor();
  await m1.page.getByRole("textbox", { name: "Message" }).fill("Good morning from Cy");
  await m1.page.getByRole("button", { name: "Send" }).click();
  await eli.waitForOutput(/^chat Dr Cy: Good morning from Cy$/m);
  assert.equal(await eli.command("say Hello from the C++ client"), "ok");
  for (const person of [fac, pre, m1, m2]) await person.page.getByTestId("chat-log").getByText("Hello from the C++ client").waitFor();
  await m2.page.getByRole("textbox", { name: "Message" }).fill("Just for you, Eli");
  await m2.page.getByLabel("Send to").selectOption({ label: "Dr Eli" });
  await m2.page.getByRole("button", { name: "Send" }).click();
  await eli.waitForOutput(/^chat Dr Di \(to you\): Just for you, Eli$/m);
  await hears(fac.page, "m1");
  await screenshot(m1.page, "03-member-check-in-with-chat");
  await screenshot(m2.page, "04-member-phone-width");

  // --- Presentation: the presenter alone --------------------------------------
  await next("Presentation");
  await hears(m1.page, "pre");
  assert.equal(await m1.page.getByTestId("mic").textContent(), "Microphone locked");
  assert.equal(await m1.page.getByRole("button", { name: /^Microphone/ }).count(), 0, "a locked microphone is a state, not a dead button");
  assert.equal(await m1.page.getByTestId("my-state").textContent(), "Listening");
  assert.equal(await pre.page.getByTestId("my-state").textContent(), "You may speak");
  assert.equal(await pre.page.getByTestId("mic").textContent(), "Microphone on");
  await screenshot(pre.page, "05-presenter-presenting");
  await screenshot(m1.page, "06-member-listening-to-the-presentation");

  // --- Go-around: one at a time; the presenter listens ------------------------
  await next("Go-around");
  await fac.page.getByRole("button", { name: "Build from roster" }).click();
  const order = fac.page.getByTestId("go-around");
  await order.getByText("Dr Fay").waitFor();
  assert.deepEqual(await order.locator("li .who").allTextContents(), ["Dr Cy", "Dr Di", "Dr Eli", "Dr Fay"]);
  // Built, not started: the facilitator looks the order over first, and nobody's turn has begun.
  await m1.page.getByTestId("round-waits").getByText("The round starts when the facilitator starts it.").waitFor();
  assert.equal(await m1.page.getByTestId("your-turn").count(), 0);
  await fac.page.getByRole("button", { name: "Start round" }).click();

  await m1.page.getByTestId("your-turn").getByText("It's your turn").waitFor();
  for (const person of [fac, pre, m2, room]) assert.equal(await person.page.getByTestId("your-turn").count(), 0, `no prompt for ${person.name}`);
  assert.equal(await pre.page.getByTestId("mic").textContent(), "Microphone locked");
  assert.equal(await pre.page.getByTestId("mic-reason").textContent(), "You are not in this go-around.");
  assert.equal(await pre.page.getByTestId("my-state").textContent(), "Listening");
  assert.equal(await m2.page.getByTestId("my-state").textContent(), "Waiting for your turn");
  assert.equal(await m1.page.getByTestId("my-state").textContent(), "Your turn");
  // The turn holder is heard; the presenter and the waiting members are not.
  const before = { pre: await heardFrom(fac.page, "pre"), m2: await heardFrom(fac.page, "m2") };
  await hears(fac.page, "m1", 25);
  await hears(m2.page, "m1", 10);
  assert.equal(await heardFrom(fac.page, "pre"), before.pre, "no frame of the presenter's reaches the facilitator");
  assert.equal(await heardFrom(fac.page, "m2"), before.m2, "a member waiting for the turn is not heard");
  await screenshot(m1.page, "07-member-your-turn");
  await screenshot(pre.page, "08-presenter-microphone-locked");
  await screenshot(fac.page, "09-facilitator-console-go-around");
  assert.deepEqual(await seriousViolations(fac.page), [], "axe on the console in the go-around");

  // Every control has a name a screen reader can say; the turn is finished from the keyboard.
  for (const person of browsers) assert.deepEqual(await unlabelledControls(person.page), [], `${person.name}'s controls`);
  await m1.page.getByTestId("your-turn").getByRole("button", { name: "Finished" }).focus();
  await m1.page.keyboard.press("Enter");
  await m2.page.getByTestId("your-turn").waitFor();
  await m2.page.getByTestId("your-turn").getByRole("button", { name: "Pass" }).click();
  await eli.waitForOutput(/^\* turn: Dr Di -> Dr Eli$/m); // The turn moved to the C++ client.
  assert.equal(await eli.command("finish"), "ok");
  await room.page.getByTestId("your-turn").getByText("Dr Fay's turn").waitFor();
  await room.page.getByTestId("board-turn").getByText("Dr Fay").waitFor();
  await hears(fac.page, "room", 10); // The room's microphone carries Dr Fay.
  await screenshot(room.page, "10-in-room-display-attendee-speaking");
  assert.deepEqual(await seriousViolations(room.page), [], "axe on the room display");
  await room.page.getByTestId("your-turn").getByRole("button", { name: "Finished" }).click();
  await fac.page.getByText("Go-around (complete)").waitFor();
  assert.deepEqual(await order.locator("li .status").allTextContents(), ["finished", "passed", "finished", "finished"]);

  // --- Open discussion and wrap-up --------------------------------------------
  await next("Open discussion");
  await hears(fac.page, "pre");
  await hears(fac.page, "m2");
  await next("Wrap-up");
  assert.equal(await m1.page.getByTestId("mic").textContent(), "Microphone locked");
  await screenshot(fac.page, "11-facilitator-wrap-up");

  // --- The end wipes the chat everywhere ---------------------------------------
  await fac.page.getByRole("button", { name: "End session" }).click();
  for (const person of browsers) await person.page.getByTestId("ended").waitFor();
  for (const person of browsers) {
    const text = await person.page.locator("body").innerText();
    assert.doesNotMatch(text, /Good morning from Cy|Hello from the C\+\+ client|Just for you/, `${person.name}'s chat is gone`);
  }
  await screenshot(m1.page, "12-end-screen");
  // The link again, after the end: the join screen says so and offers no Join.
  const late = await rig.browser.person("late");
  await late.page.goto(session.link("m1"));
  await late.page.getByTestId("join-refused").getByText(/^The session has ended\./).waitFor();
  assert.equal(await late.page.getByTestId("join").count(), 0, "no Join button for a link that cannot be used");
  assert.equal(await late.page.getByTestId("mic-check").count(), 0, "no microphone check either");
  await screenshot(late.page, "13-link-after-the-end");
  // Chromium reports the check's 409 itself; nothing else may appear.
  assert.deepEqual(late.errors.filter((e) => !/status of 409/.test(e)), []);
  await eli.waitForOutput(/^\* session ended$/m);
  await eli.stop();

  for (const person of browsers) assert.deepEqual(person.errors, [], `${person.name}'s console`);
});
