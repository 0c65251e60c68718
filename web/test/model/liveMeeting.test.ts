// The live meeting as a member lives it, from hand-made states: where I
// stand (the status bar), what is announced when it changes, the hand
// queue, who is lit as speaking, the guard on Next, and time left in words.
import { v1 } from "@balint-room/sdk";
import assert from "node:assert/strict";
import { test } from "node:test";

import { announcements, newHands } from "../../src/model/announcements.js";
import { StandKind, mayRaiseHand, myStand, silencedBecause } from "../../src/model/myState.js";
import { viewOf } from "../../src/model/session.js";
import { SpeakingLights, speechLevel } from "../../src/model/speakingLights.js";
import { StepGuard, quietAfterChangeMs } from "../../src/model/stepGuard.js";
import { timeLeftText } from "../../src/model/time.js";
import { balintPhases, member, state } from "./sessionFixture.js";

const goAround = (holder: string, ids = ["m1", "r1"]) => ({
  order: ids.map((id) => ({ participantId: id, status: id === holder ? v1.TurnStatus.SPEAKING : v1.TurnStatus.WAITING })),
  turnHolderId: holder,
});

test("the status bar says where I stand: my turn, may speak, muted, observing, waiting", () => {
  const inRound = state({ phaseIndex: 1, goAround: goAround("m1") });
  member(inRound, "m1").maySpeak = true;
  assert.deepEqual(myStand(viewOf(inRound, "m1")), { kind: StandKind.MyTurn, text: "Your turn" });
  assert.deepEqual(myStand(viewOf(inRound, "room")), { kind: StandKind.Waiting, text: "Waiting for your turn" });
  assert.deepEqual(myStand(viewOf(inRound, "pre")), { kind: StandKind.Waiting, text: "Listening" }, "the presenter is not in this round");

  const roomTurn = state({ phaseIndex: 1, goAround: goAround("r1") });
  assert.deepEqual(myStand(viewOf(roomTurn, "room")), { kind: StandKind.MyTurn, text: "Dr Eve's turn" });

  const open = state({ phaseIndex: 0 });
  member(open, "pre").maySpeak = true;
  member(open, "m1").muted = true;
  assert.deepEqual(myStand(viewOf(open, "pre")), { kind: StandKind.MaySpeak, text: "You may speak" });
  assert.deepEqual(myStand(viewOf(open, "m1")), { kind: StandKind.Muted, text: "Muted by a facilitator" });

  const floor = state({ phaseIndex: 2, floorHolderId: "pre" });
  member(floor, "pre").maySpeak = true;
  assert.deepEqual(myStand(viewOf(floor, "pre")), { kind: StandKind.MaySpeak, text: "You have the floor" });

  const observing = state({ phases: balintPhases, phaseIndex: 1 });
  assert.deepEqual(myStand(viewOf(observing, "pre")), { kind: StandKind.Observing, text: "Observing in silence" });
  assert.deepEqual(myStand(viewOf(state(), "m1")), { kind: StandKind.Waiting, text: "Not started yet" });
});

test("why I am silent names the actual reason, and no hand is offered that the server would refuse", () => {
  const inRound = state({ phaseIndex: 1, goAround: goAround("m1") });
  assert.equal(silencedBecause(viewOf(inRound, "pre")), "You are not in this go-around.");
  assert.equal(silencedBecause(viewOf(inRound, "room")), "Wait for your turn in the go-around.");
  const observing = state({ phases: balintPhases, phaseIndex: 1 });
  assert.equal(silencedBecause(viewOf(observing, "pre")), "You observe in silence during this phase.");
  member(observing, "m1").maySpeak = true;
  assert.equal(silencedBecause(viewOf(observing, "m1")), "");

  assert.equal(mayRaiseHand(viewOf(observing, "pre")), false, "the observing presenter");
  assert.equal(mayRaiseHand(viewOf(observing, "m1")), true);
  assert.equal(mayRaiseHand(viewOf(state(), "m1")), false, "before the start");
  assert.equal(mayRaiseHand(viewOf(state({ phases: balintPhases, phaseIndex: 2 }), "pre")), true, "at re-entry");
});

test("a change is announced once, in words, at the moment it happens", () => {
  const before = viewOf(state({ phases: balintPhases, phaseIndex: 0 }), "pre");
  const observing = viewOf(state({ phases: balintPhases, phaseIndex: 1 }), "pre");
  assert.deepEqual(announcements(before, observing), ["Observation. You observe in silence until Re-entry."]);
  assert.deepEqual(announcements(observing, observing), [], "nothing new, nothing said");
  assert.deepEqual(announcements(before, viewOf(state({ phases: balintPhases, phaseIndex: 1 }), "m1")), [
    "Observation. Dr Bo listens in silence; everyone else may speak.",
  ]);

  const waiting = viewOf(state({ phaseIndex: 1, goAround: goAround("r1") }), "m1");
  const myTurn = viewOf(state({ phaseIndex: 1, goAround: goAround("m1") }), "m1");
  assert.deepEqual(announcements(waiting, myTurn), ["It's your turn"]);

  const plain = state({ phaseIndex: 2 });
  const called = state({ phaseIndex: 2, floorHolderId: "m1" });
  const muted = state({ phaseIndex: 2 });
  member(muted, "m1").muted = true;
  assert.deepEqual(announcements(viewOf(plain, "m1"), viewOf(called, "m1")), ["You have the floor"]);
  assert.deepEqual(announcements(viewOf(called, "m1"), viewOf(plain, "m1")), ["The facilitator took the floor back"]);
  assert.deepEqual(announcements(viewOf(plain, "m1"), viewOf(muted, "m1")), ["The facilitator muted you"]);
  assert.deepEqual(announcements(viewOf(muted, "m1"), viewOf(plain, "m1")), ["The facilitator unmuted you"]);
  assert.deepEqual(announcements(null, viewOf(muted, "m1")), ["Wrap-up. The facilitators speak, and whoever they give the floor to."], "joining muted is no news");
});

test("the hand queue is first raised first, and a new hand is named once", () => {
  const two = state({ phaseIndex: 0, handQueue: ["m1", "r1"] });
  member(two, "m1").handRaised = true;
  const view = viewOf(two, "fac");
  assert.deepEqual(view.hands.map((p) => p.name), ["Dr Cy", "Dr Eve"]);
  const one = viewOf(state({ phaseIndex: 0 }), "fac");
  assert.deepEqual(one.hands.map((p) => p.name), ["Dr Eve"]);
  assert.deepEqual(newHands(one, view), ["Dr Cy"]);
  assert.deepEqual(newHands(view, view), []);
  assert.deepEqual(newHands(null, view), [], "hands already up when I join are in the queue, not news");
});

test("a format tells whether it has a go-around, and a round whether I am in it", () => {
  const ccdg = viewOf(state({ phaseIndex: 1, goAround: goAround("m1") }), "room");
  assert.equal(ccdg.hasGoAround, true);
  assert.equal(ccdg.inGoAround, true, "through its attendee");
  assert.equal(viewOf(state({ phaseIndex: 1, goAround: goAround("m1") }), "pre").inGoAround, false);
  assert.equal(viewOf(state({ phases: balintPhases }), "fac").hasGoAround, false);
});

test("a round waits for its start in the go-around phase, with someone waiting", () => {
  const order = { order: [{ participantId: "m1", status: v1.TurnStatus.WAITING }], turnHolderId: "" };
  assert.equal(viewOf(state({ phaseIndex: 1, goAround: order }), "fac").roundToStart, true);
  assert.equal(viewOf(state({ phaseIndex: 1, goAround: { ...order, started: true } }), "fac").roundToStart, false, "started");
  assert.equal(viewOf(state({ phaseIndex: 0, goAround: order }), "fac").roundToStart, false, "not the go-around phase");
  const done = { order: [{ participantId: "m1", status: v1.TurnStatus.FINISHED }], turnHolderId: "" };
  assert.equal(viewOf(state({ phaseIndex: 1, goAround: done }), "fac").roundToStart, false, "nobody waiting");
});

test("a speaking light follows speech and holds a little between syllables", () => {
  const lights = new SpeakingLights(300);
  assert.deepEqual([...lights.update([["a", 0.1], ["b", speechLevel / 2]], 0)], ["a"]);
  assert.deepEqual([...lights.update([["a", 0], ["b", 0]], 250)], ["a"], "still lit within the hold");
  assert.deepEqual([...lights.update([["a", 0], ["b", speechLevel]], 301)], ["b"], "out after it");
  assert.deepEqual([...lights.update([], 700)], []);
});

test("Next ignores the second press of a double click, and presses just after any phase change", () => {
  const guard = new StepGuard();
  assert.equal(guard.quietAt(0), false);
  assert.equal(guard.press(0), true);
  assert.equal(guard.press(40), false, "on its way");
  guard.answered(100);
  assert.equal(guard.press(150), false, "the double click's second press");
  assert.equal(guard.quietAt(100 + quietAfterChangeMs - 1), true);
  assert.equal(guard.quietEndsAt, 100 + quietAfterChangeMs);
  assert.equal(guard.press(100 + quietAfterChangeMs), true, "a deliberate press later");
  guard.answered(5000);
  guard.phaseChanged(9000); // Another facilitator moved it.
  assert.equal(guard.press(9000 + quietAfterChangeMs / 2), false);
  assert.equal(guard.press(9000 + quietAfterChangeMs / 2, { duringQuiet: true }), true, "an Undo is not swallowed");
  assert.equal(guard.press(9000 + quietAfterChangeMs / 2, { duringQuiet: true }), false, "but waits for one on its way");
});

test("a press with no answer may have been applied: the next one waits for the state", () => {
  const guard = new StepGuard();
  assert.equal(guard.press(0), true);
  guard.unanswered(); // Timed out.
  assert.equal(guard.press(60_000), false, "not a second Next on top of one that may have landed");
  assert.equal(guard.quietAt(60_000), true);
  guard.stateArrived();
  assert.equal(guard.press(60_000), true);
});

test("time left in words, and over time said as such", () => {
  assert.equal(timeLeftText(42_000), "0:42 left");
  assert.equal(timeLeftText(-65_000), "Over time by 1:05");
});
