// The in-room display, for a projector: phase, time left, whose turn, the
// security code, in large type; and, for whoever runs the laptop, the people
// sitting in the room: add and remove them, raise a hand for one, and
// speak the turn for whichever of them holds it.
import { cmd } from "@balint-room/sdk";

import type { SessionView } from "../model/session.js";
import { type Child, button, h } from "../ui/dom.js";
import type { Actions } from "./actions.js";
import { countdown } from "./banner.js";

/** The board, for the room to read. */
export function roomBoard(view: SessionView, securityCode: string): Child {
  const phase = view.phase;
  const turn = view.turnHolderName;
  return h(
    "section",
    { class: "board", "aria-label": "Session" },
    h("p", { class: "board-session" }, view.name),
    h("h2", { class: "board-phase", "data-testid": "phase-name" }, view.ended ? "The session has ended" : phase?.name ?? "Waiting to start"),
    phase !== null && !phase.last && !view.ended ? h("p", { class: "board-time" }, countdown(phase.plannedEndMs, "Time left in this phase")) : null,
    phase !== null ? h("p", { class: "board-rule" }, phase.ruleText) : null,
    turn ? h("p", { class: "board-turn", "data-testid": "board-turn" }, "Speaking now: ", h("strong", {}, turn)) : null,
    view.floorHolderName ? h("p", { class: "board-turn" }, "Has the floor: ", h("strong", {}, view.floorHolderName)) : null,
    h("div", { class: "board-code" }, h("p", { class: "label" }, "Security code"), h("p", { "data-testid": "security-code" }, securityCode || "…")),
  );
}

/** The people in the room, for whoever runs the device. */
export function roomAttendees(view: SessionView, act: Actions): Child {
  if (view.ended) return null;
  const nameInput = h("input", { id: "attendee-name", type: "text", maxlength: 64, autocomplete: "off", "data-key": "attendee-name" });
  const add = (event: Event) => {
    event.preventDefault();
    const name = nameInput.value.trim();
    if (name === "") return;
    act.send(cmd.addRoomAttendee(name), `add ${name}`);
    nameInput.value = "";
  };
  return h(
    "section",
    { class: "panel attendees", "aria-labelledby": "attendees-title" },
    h("h3", { id: "attendees-title" }, `In this room (${view.attendees.length})`),
    h(
      "ul",
      { "data-testid": "attendees" },
      view.attendees.map((p) =>
        h(
          "li",
          { class: p.turnHolder ? "person speaking-now" : "person" },
          h("strong", {}, p.name),
          p.turnHolder ? h("span", { class: "badge turn" }, "speaking now") : null,
          p.handRaised ? h("span", { class: "badge hand" }, `hand raised (${p.handPosition})`) : null,
          h(
            "span",
            { class: "row-actions" },
            p.handRaised
              ? button("Lower hand", () => act.send(cmd.lowerHand(p.id), `lower ${p.name}'s hand`), {
                  "aria-label": `Lower hand for ${p.name}`,
                  "data-key": `lower-${p.id}`,
                })
              : button("Raise hand", () => act.send(cmd.raiseHand(p.id), `raise ${p.name}'s hand`), {
                  "aria-label": `Raise hand for ${p.name}`,
                  "data-key": `raise-${p.id}`,
                  disabled: !view.started,
                }),
            button("Remove", () => act.send(cmd.removeRoomAttendee(p.id), `remove ${p.name}`), {
              class: "danger",
              "aria-label": `Remove ${p.name} from the room`,
              "data-key": `remove-${p.id}`,
            }),
          ),
        ),
      ),
    ),
    h(
      "form",
      { class: "actions", onsubmit: add },
      h("label", { for: "attendee-name" }, "Name"),
      nameInput,
      h("button", { type: "submit" }, "Add to the room"),
    ),
  );
}

