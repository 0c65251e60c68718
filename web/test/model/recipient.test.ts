// Whom the chat box writes to through pauses, drops and half-typed words:
// a private word never goes to the group unseen, and writing privately
// never happens unknown.
import assert from "node:assert/strict";
import { test } from "node:test";

import { type RecipientInput, chooseRecipient } from "../../src/model/recipient.js";

const ada = { id: "fac", name: "Dr Ada", leader: true };
const eve = { id: "cof", name: "Dr Eve", leader: true };
const cy = { id: "m1", name: "Dr Cy", leader: false };
const names = new Map([
  ["fac", "Dr Ada"],
  ["cof", "Dr Eve"],
  ["m1", "Dr Cy"],
]);
const base: RecipientInput = { paused: false, reachable: [ada, eve, cy], names, typed: false, current: "", forced: false };
const labels = (input: RecipientInput) => chooseRecipient(input).options.map((o) => o.label);

test("open chat: everyone and each person, nothing changed", () => {
  const choice = chooseRecipient(base);
  assert.deepEqual(choice, {
    current: "",
    forced: false,
    options: [
      { value: "", label: "Everyone" },
      { value: "fac", label: "Dr Ada" },
      { value: "cof", label: "Dr Eve" },
      { value: "m1", label: "Dr Cy" },
    ],
    canSend: true,
    note: "",
  });
});

test("a pause with an empty box moves to the first facilitator and says so; its end moves back and says so", () => {
  const paused = chooseRecipient({ ...base, paused: true });
  assert.equal(paused.current, "fac");
  assert.equal(paused.forced, true);
  assert.equal(paused.canSend, true);
  assert.equal(paused.note, "Chat with the group is paused in this phase: writing privately to Dr Ada.");
  assert.deepEqual(labels({ ...base, paused: true, current: "fac", forced: true }), ["Dr Ada", "Dr Eve"]);

  const reopened = chooseRecipient({ ...base, current: "fac", forced: true });
  assert.equal(reopened.current, "");
  assert.equal(reopened.forced, false);
  assert.equal(reopened.note, "Chat with the group is open again: writing to Everyone.");
});

test("words typed for a facilitator stay theirs when the pause ends, and after they are sent", () => {
  const reopened = chooseRecipient({ ...base, typed: true, current: "fac", forced: true });
  assert.equal(reopened.current, "fac", "not switched to the group under the typed words");
  assert.equal(reopened.forced, false);
  // Sent; the box is empty; the follow-up is still for Dr Ada.
  const after = chooseRecipient({ ...base, current: reopened.current, forced: reopened.forced });
  assert.equal(after.current, "fac");
  assert.equal(after.note, "");
});

test("a facilitator picked during the pause is the pause's choice: released at its end", () => {
  const picked = chooseRecipient({ ...base, paused: true, current: "cof", forced: true });
  assert.equal(picked.current, "cof");
  assert.equal(chooseRecipient({ ...base, current: "cof", forced: true }).current, "");
});

test("words typed for the group before a pause are not sent to a facilitator instead", () => {
  const choice = chooseRecipient({ ...base, paused: true, typed: true });
  assert.equal(choice.current, "");
  assert.equal(choice.canSend, false);
  assert.equal(choice.note, "Chat with the group is paused in this phase: choose a facilitator to send this to.");
  assert.deepEqual(labels({ ...base, paused: true, typed: true }), ["Everyone (paused)", "Dr Ada", "Dr Eve"]);
});

test("the recipient who drops stays chosen, marked away, and nothing goes to the group instead", () => {
  const gone = { ...base, reachable: [eve, cy], current: "fac", typed: true };
  const choice = chooseRecipient(gone);
  assert.equal(choice.current, "fac");
  assert.equal(choice.canSend, false);
  assert.equal(choice.note, "Dr Ada is not connected: choose whom to send this to.");
  assert.deepEqual(labels(gone), ["Everyone", "Dr Eve", "Dr Cy", "Dr Ada (away)"]);
  // Paused, the only facilitator away, the box holding words for her: still hers.
  const alone = chooseRecipient({ ...base, paused: true, reachable: [cy], current: "fac", typed: true, forced: true });
  assert.equal(alone.current, "fac");
  assert.equal(alone.canSend, false);
  // Back: the words can go to her.
  assert.equal(chooseRecipient({ ...base, paused: true, current: "fac", typed: true, forced: true }).canSend, true);
});

test("a member is not reachable privately while the pause lasts, a leader is", () => {
  const choice = chooseRecipient({ ...base, paused: true, current: "m1" });
  assert.equal(choice.current, "fac", "an empty box moves to a facilitator");
  const typed = chooseRecipient({ ...base, paused: true, current: "m1", typed: true });
  assert.equal(typed.current, "m1");
  assert.equal(typed.canSend, false);
  assert.equal(typed.note, "Chat with Dr Cy is paused in this phase: choose a facilitator to send this to.");
  assert.deepEqual(labels({ ...base, paused: true, current: "m1", typed: true }), ["Dr Ada", "Dr Eve", "Dr Cy (paused)"]);
});
