// My own controls: the microphone (which follows the server's rule: when
// the phase silences me, it shows why and cannot be turned on), my hand,
// and leaving.
import { cmd, v1 } from "@balint-room/sdk";

import type { SessionView } from "../model/session.js";
import { type Child, button, h } from "../ui/dom.js";
import type { Actions } from "./actions.js";

export interface MicState {
  available: boolean; // A microphone is open.
  on: boolean; // I want to be heard (when the server lets me).
  problem: string; // Why there is no microphone, for people.
}

/** Why the server does not forward my audio now; "" when it does. */
export function silencedBecause(view: SessionView): string {
  const me = view.me;
  if (me === undefined || me.maySpeak) return "";
  if (me.muted) return "A facilitator muted you.";
  if (view.phase === null) return "The session has not started.";
  if (me.presenter && view.phase.rule === v1.SpeakingRule.ALL_BUT_PRESENTER) return "You observe in silence during this phase.";
  if (view.phase.rule === v1.SpeakingRule.TURN_HOLDER && !view.myTurn) return "Wait for your turn in the go-around.";
  if (view.phase.rule === v1.SpeakingRule.TURN_HOLDER || view.phase.rule === v1.SpeakingRule.EVERYONE)
    return "The server is not passing on your audio now."; // The rule would let me; something else does not.
  return `${view.phase.ruleText}.`;
}

export function myControls(view: SessionView, mic: MicState, toggleMic: () => void, act: Actions, leave: () => void): Child {
  if (view.ended || view.me === undefined) return null;
  const silenced = silencedBecause(view);
  const live = mic.available && mic.on && silenced === "";
  const micLabel = !mic.available ? "No microphone" : silenced !== "" ? "Microphone locked" : mic.on ? "Microphone on" : "Microphone off";
  return h(
    "section",
    { class: "panel my-controls", "aria-label": "Your controls" },
    h(
      "div",
      { class: "actions" },
      h(
        "button",
        {
          type: "button",
          class: live ? "mic live" : "mic",
          "aria-pressed": mic.on && mic.available ? "true" : "false",
          disabled: !mic.available || silenced !== "",
          "data-testid": "mic",
          "data-key": "mic",
          onclick: toggleMic,
        },
        micLabel,
      ),
      view.me.handRaised
        ? button("Lower hand", () => act.send(cmd.lowerHand(), "lower your hand"), { "data-key": "hand" })
        : button("Raise hand", () => act.send(cmd.raiseHand(), "raise your hand"), { "data-key": "hand", disabled: !view.started }),
      button("Leave", () => act.confirm("Leave the session?") && leave(), { class: "quiet", "data-key": "leave" }),
    ),
    h("p", { class: "hint", "data-testid": "mic-reason" }, silenced || mic.problem),
  );
}
