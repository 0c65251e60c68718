// My own controls: my hand (where the server would take it) and leaving,
// and why my microphone is locked when it is. The microphone button itself
// is in the status bar, always in view.
import { cmd } from "@balint-room/sdk";

import { mayRaiseHand, silencedBecause } from "../model/myState.js";
import type { SessionView } from "../model/session.js";
import { type Child, button, h } from "../ui/dom.js";
import type { Actions } from "./actions.js";
import type { MicState } from "./statusBar.js";

export function myControls(view: SessionView, mic: MicState, act: Actions, leave: () => void): Child {
  if (view.ended || view.me === undefined) return null;
  return h(
    "section",
    { class: "panel my-controls", "aria-label": "Your controls" },
    h(
      "div",
      { class: "actions" },
      view.me.handRaised
        ? button("Lower hand", () => act.send(cmd.lowerHand(), "lower your hand"), { "data-key": "hand" })
        : mayRaiseHand(view)
          ? button("Raise hand", () => act.send(cmd.raiseHand(), "raise your hand"), { "data-key": "hand" })
          : null,
      button("Leave", () => act.confirm("Leave the session?") && leave(), { class: "quiet", "data-key": "leave" }),
    ),
    h("p", { class: "hint", "data-testid": "mic-reason" }, silencedBecause(view) || mic.problem),
  );
}
