// The raised hands, first raised first, at the top of a facilitator's
// screen: who is waiting and in what order, with one click to give the
// floor or lower the hand; and whether a hand going up also makes a sound.
import { cmd } from "@balint-room/sdk";

import type { SessionView } from "../model/session.js";
import { type Child, button, h } from "../ui/dom.js";
import type { Actions } from "./actions.js";

export interface HandSound {
  on: boolean;
  toggle(): void;
}

export function handQueue(view: SessionView, act: Actions, sound: HandSound): Child {
  if (!view.facilitator || view.ended) return null;
  const hands = view.hands;
  return h(
    "section",
    { class: "panel hands", "aria-labelledby": "hands-title" },
    h("h3", { id: "hands-title" }, `Raised hands (${hands.length})`),
    hands.length === 0
      ? h("p", { class: "hint" }, "No hands raised.")
      : h(
          "ol",
          { "data-testid": "hand-queue" },
          hands.map((p) =>
            h(
              "li",
              { class: "person" },
              h("span", { class: "who" }, h("strong", {}, p.name), h("span", { class: "role" }, p.roleLabel)),
              view.inControl
                ? h(
                    "span",
                    { class: "row-actions" },
                    p.floorHolder
                      ? h("span", { class: "badge turn" }, "has the floor")
                      : button("Give floor", () => act.send(cmd.giveFloor(p.id), `give ${p.name} the floor`), {
                          class: "primary",
                          "aria-label": `Give floor to ${p.name}`,
                          "data-key": `hand-floor-${p.id}`,
                        }),
                    button("Lower", () => act.send(cmd.lowerHand(p.id), `lower ${p.name}'s hand`), {
                      "aria-label": `Lower hand for ${p.name}`,
                      "data-key": `hand-lower-${p.id}`,
                    }),
                  )
                : null,
            ),
          ),
        ),
    h(
      "label",
      { class: "hint" },
      h("input", { type: "checkbox", checked: sound.on, onchange: () => sound.toggle(), "data-key": "hand-sound" }),
      " Sound when a hand goes up",
    ),
  );
}
