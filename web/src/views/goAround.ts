// The go-around: the speaking order with each person's progress, the "your
// turn" prompt, and for the controller the order's editing.
import { cmd, v1 } from "@balint-room/sdk";

import type { SessionView } from "../model/session.js";
import { type Child, button, h } from "../ui/dom.js";
import type { Actions } from "./actions.js";

/** The prompt for whoever holds the turn (or the room device carrying them). */
export function turnPrompt(view: SessionView, act: Actions): Child {
  if (!view.myTurn || view.ended) return null;
  return h(
    "section",
    // Not a live region itself: the page's announcer says "It's your turn" once.
    { class: "turn-prompt", "data-testid": "your-turn" },
    h("h2", {}, view.myTurnFor ? `${view.myTurnFor}'s turn` : "It's your turn"),
    h("p", {}, "Say what the case stirs in you. When you are done, say so; or pass."),
    h(
      "div",
      { class: "actions" },
      button("Finished", () => act.send(cmd.finishTurn(), "finish the turn"), { class: "primary", "data-key": "finish" }),
      button("Pass", () => act.send(cmd.passTurn(), "pass"), { "data-key": "pass" }),
    ),
  );
}

function editControls(view: SessionView, act: Actions, index: number): Child {
  if (!view.inControl) return null;
  const order = view.goAround.map((e) => e.id);
  const entry = view.goAround[index]!;
  const move = (to: number) => {
    const next = [...order];
    next.splice(index, 1);
    next.splice(to, 0, entry.id);
    act.send(cmd.setGoAroundOrder(next), "reorder the go-around");
  };
  return h(
    "span",
    { class: "row-actions" },
    button("↑", () => move(index - 1), { disabled: index === 0, "aria-label": `Move ${entry.name} up`, "data-key": `up-${entry.id}` }),
    button("↓", () => move(index + 1), {
      disabled: index === order.length - 1,
      "aria-label": `Move ${entry.name} down`,
      "data-key": `down-${entry.id}`,
    }),
    button("✕", () => act.send(cmd.setGoAroundOrder(order.filter((id) => id !== entry.id)), `take ${entry.name} out of the go-around`), {
      "aria-label": `Take ${entry.name} out of the go-around`,
      "data-key": `drop-${entry.id}`,
    }),
  );
}

function builder(view: SessionView, act: Actions): Child {
  if (!view.inControl) return null;
  const inOrder = new Set(view.goAround.map((e) => e.id));
  const candidates = view.people.filter((p) => !inOrder.has(p.id) && p.role !== v1.Role.ROOM);
  const select = h(
    "select",
    { "aria-label": "Person to add to the go-around", "data-key": "add-select" },
    candidates.map((p) => h("option", { value: p.id }, p.name)),
  );
  return h(
    "div",
    { class: "actions" },
    // Nobody's turn starts until the facilitator has looked the order over.
    view.roundToStart
      ? button("Start round", () => act.send(cmd.startGoAround(), "start the go-around"), { class: "primary", "data-key": "start-round" })
      : null,
    button("Build from roster", () => act.send(cmd.buildGoAround(), "build the go-around"), { "data-key": "build" }),
    candidates.length > 0
      ? [select, button("Add", () => act.send(cmd.setGoAroundOrder([...inOrder, select.value]), "add to the go-around"), { "data-key": "add" })]
      : null,
    button("Skip turn", () => act.send(cmd.skipTurn(), "skip the turn"), { disabled: view.turnHolderName === "", "data-key": "skip" }),
  );
}

export function goAround(view: SessionView, act: Actions): Child {
  // A format that never speaks in turns has no go-around to show or build.
  if (!view.hasGoAround || (view.goAround.length === 0 && !view.inControl)) return null;
  return h(
    "section",
    { class: "panel go-around", "aria-labelledby": "go-around-title" },
    h("h3", { id: "go-around-title" }, "Go-around", view.goAroundComplete ? " (complete)" : ""),
    view.roundToStart
      ? h("p", { class: "hint", "data-testid": "round-waits" }, view.inControl ? "Look the order over and change it if needed, then start the round." : "The round starts when the facilitator starts it.")
      : null,
    view.goAroundPaused
      ? h("p", { class: "hint", role: "status" }, `Paused: ${view.turnHolderName} is reconnecting. The turn waits for them; a facilitator may skip it.`)
      : null,
    view.goAround.length === 0
      ? h("p", { class: "hint" }, "No order yet.")
      : h(
          "ol",
          { "data-testid": "go-around" },
          view.goAround.map((e, i) =>
            h(
              "li",
              { class: `turn-${e.statusLabel.replace(/ /g, "-")}`, "aria-current": e.statusLabel === "speaking now" ? "step" : null },
              h("span", { class: "who" }, e.name),
              h("span", { class: "status" }, e.statusLabel),
              editControls(view, act, i),
            ),
          ),
        ),
    builder(view, act),
  );
}
