// The view model against hand-made states: what each person's screen says
// about the phase, who may speak, whose turn it is, and what a room device
// carries.
import { v1 } from "@balint-room/sdk";
import assert from "node:assert/strict";
import { test } from "node:test";

import { ruleText, viewOf } from "../../src/model/session.js";
import { clock, spokenClock } from "../../src/model/time.js";
import { readClaims } from "../../src/model/token.js";
import { state } from "./sessionFixture.js";

test("before the start: waiting, the first phase named, ground rules shown", () => {
  const view = viewOf(state(), "m1");
  assert.equal(view.started, false);
  assert.equal(view.phase, null);
  assert.equal(view.nextPhaseName, "Check-in");
  assert.equal(view.showGroundRules, true);
  assert.equal(view.facilitator, false);
  assert.equal(view.me?.name, "Dr Cy");
  assert.equal(view.me?.connected, false);
});

test("the presenter and people in the room are labelled as such", () => {
  const view = viewOf(state(), "fac");
  const label = (id: string) => view.people.find((p) => p.id === id)?.roleLabel;
  assert.equal(label("fac"), "Facilitator");
  assert.equal(label("pre"), "Presenter");
  assert.equal(label("r1"), "In the room");
  assert.equal(view.people.find((p) => p.id === "r1")?.handPosition, 1);
  assert.equal(view.facilitator, true);
  assert.equal(view.inControl, true);
});

test("in the go-around the turn is the holder's, and a room device speaks for its attendee", () => {
  const s = state({
    phaseIndex: 1,
    phasePlannedEndMs: 2_000_000n,
    goAround: { order: [{ participantId: "r1", status: v1.TurnStatus.SPEAKING }, { participantId: "m1", status: v1.TurnStatus.WAITING }], turnHolderId: "r1" },
  });
  const room = viewOf(s, "room");
  assert.equal(room.myTurn, true);
  assert.equal(room.myTurnFor, "Dr Eve");
  assert.deepEqual(room.attendees.map((p) => p.id), ["r1"]);
  assert.equal(room.roomDevice, true);
  const member = viewOf(s, "m1");
  assert.equal(member.myTurn, false);
  assert.equal(member.turnHolderName, "Dr Eve");
  assert.deepEqual(member.goAround.map((e) => e.statusLabel), ["speaking now", "waiting"]);
  assert.equal(member.phase?.ruleText, "One at a time, in the go-around order");
  assert.equal(member.phase?.guidance, "Each in turn.");
  assert.equal(member.nextPhaseName, "Wrap-up");
  assert.equal(member.showGroundRules, false);
  assert.equal(viewOf(s, "fac").attendees.length, 0);
});

test("the turn is nobody's once the phase has moved past the go-around", () => {
  const goAround = { order: [{ participantId: "m1", status: v1.TurnStatus.SPEAKING }], turnHolderId: "m1" };
  const during = viewOf(state({ phaseIndex: 1, goAround }), "m1");
  assert.equal(during.myTurn, true);
  assert.equal(during.myTurnFor, "", "my own turn names nobody else");
  const after = viewOf(state({ phaseIndex: 2, goAround }), "m1");
  assert.equal(after.myTurn, false);
  assert.equal(after.turnHolderName, "");
  assert.equal(after.people.find((p) => p.id === "m1")?.turnHolder, false);
  assert.deepEqual(after.goAround.map((e) => e.statusLabel), ["speaking now"], "the order itself is still shown as the server has it");
});

test("a dropped turn holder is shown reconnecting, and the go-around as paused", () => {
  const s = state({
    phaseIndex: 1,
    goAround: { order: [{ participantId: "m1", status: v1.TurnStatus.SPEAKING }], turnHolderId: "m1", paused: true },
  });
  s.roster.find((m) => m.participantId === "m1")!.connection = v1.ConnectionStatus.RECONNECTING;
  const view = viewOf(s, "fac");
  assert.equal(view.goAroundPaused, true);
  assert.equal(view.people.find((p) => p.id === "m1")?.reconnecting, true);
  assert.equal(view.people.find((p) => p.id === "fac")?.reconnecting, false);
});

test("the last phase is open-ended, and warnings are put in words", () => {
  const view = viewOf(
    state({ phaseIndex: 2, warnings: [{ kind: v1.WarningKind.SESSION_ENDING, deadlineMs: 5n }] }),
    "fac",
  );
  assert.equal(view.phase?.last, true);
  assert.equal(view.nextPhaseName, "");
  assert.deepEqual(view.warnings.map((w) => w.text), ["Ten minutes to the end of the session"]);
});

test("the rules in words name the presenter", () => {
  assert.equal(ruleText(v1.SpeakingRule.PRESENTER_ONLY, "Dr Bo"), "Only Dr Bo speaks");
  assert.equal(ruleText(v1.SpeakingRule.ALL_BUT_PRESENTER, ""), "the presenter listens in silence; everyone else may speak");
});

test("countdowns", () => {
  assert.equal(clock(245_000), "4:05");
  assert.equal(clock(999), "0:00");
  assert.equal(clock(-12_000), "−0:12");
  assert.equal(clock(3_723_000), "1:02:03");
  assert.equal(spokenClock(61_000), "1 minute 1 second left");
  assert.equal(spokenClock(-5_000), "5 seconds over");
});

test("a join token's claims are read for the greeting; anything else is not a token", () => {
  const payload = Buffer.from(JSON.stringify({ sub: "m1", name: "Dr Cy", sid: "s1", role: "participant", exp: 2000000000 })).toString("base64url");
  assert.deepEqual(readClaims(`e30.${payload}.sig`), {
    participantId: "m1",
    displayName: "Dr Cy",
    sessionId: "s1",
    role: "participant",
    expiresAtMs: 2_000_000_000_000,
  });
  assert.equal(readClaims("not-a-token"), null);
  assert.equal(readClaims("a.b.c"), null);
  assert.equal(readClaims(`e30.${Buffer.from("{}").toString("base64url")}.s`), null);
});
