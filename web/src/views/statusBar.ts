// The bar that stays on screen (sticky, under the page's title) however far
// the page scrolls, on a phone too: the phase and its countdown, where I
// stand (my turn, may speak, muted, observing), the microphone button with
// its level, and how many hands are up. The level and "you are muted" are
// kept current by the page's speaking lights, not by redraws.
import { myStand, silencedBecause, StandKind } from "../model/myState.js";
import type { SessionView } from "../model/session.js";
import { type Child, h } from "../ui/dom.js";
import { countdown } from "./banner.js";

export interface MicState {
  available: boolean; // A microphone is open.
  on: boolean; // I want to be heard (when the server lets me).
  problem: string; // Why there is no microphone, for people.
}

const standClass: Record<StandKind, string> = {
  [StandKind.MyTurn]: "stand turn",
  [StandKind.MaySpeak]: "stand speak",
  [StandKind.Muted]: "stand muted",
  [StandKind.Observing]: "stand observing",
  [StandKind.Waiting]: "stand",
};

function micControl(view: SessionView, mic: MicState, toggleMic: () => void): Child {
  const silenced = silencedBecause(view) !== "";
  // Locked by the phase or a facilitator: a calm state, not a dead button.
  if (!mic.available || silenced)
    return h("span", { class: "mic locked", "data-testid": "mic" }, mic.available ? "Microphone locked" : "No microphone");
  return h(
    "button",
    {
      type: "button",
      class: mic.on ? "mic live" : "mic",
      "aria-pressed": mic.on ? "true" : "false",
      "data-testid": "mic",
      "data-key": "mic",
      onclick: toggleMic,
    },
    mic.on ? "Microphone on" : "Microphone off",
  );
}

// Shown (by the speaking lights) while I talk and my microphone sends nothing.
// The reason named is the one the person sees in the bar (a locked
// microphone cannot be turned on, so "off" would not help).
function unheardText(view: SessionView, mic: MicState): string {
  if (view.me?.muted) return "You are muted: nobody hears you";
  if (silencedBecause(view) !== "") return "Your microphone is locked now: nobody hears you";
  return "Your microphone is off: nobody hears you";
}

function handCount(view: SessionView): Child {
  const n = view.hands.length;
  if (n === 0) return null;
  return h("span", { class: "badge hand count", "data-testid": "hand-count" }, `Hands up: ${n}`);
}

export function statusBar(view: SessionView, mic: MicState, toggleMic: () => void): Child {
  if (view.ended || view.me === undefined) return null;
  const phase = view.phase;
  const stand = myStand(view);
  return h(
    "div",
    { class: "status-bar", "data-testid": "status-bar" },
    h(
      "p",
      { class: "bar-phase" },
      h("strong", {}, phase?.name ?? "Waiting to start"),
      phase !== null && !phase.last ? [" ", countdown(phase.plannedEndMs, "Time left in this phase")] : null,
    ),
    h("p", { class: standClass[stand.kind], "data-testid": "my-state" }, stand.text),
    h(
      "div",
      { class: "bar-mic" },
      micControl(view, mic, toggleMic),
      mic.available ? h("meter", { min: 0, max: 1, value: 0, class: "my-level", "aria-label": "Your microphone level", "data-testid": "my-level" }) : null,
    ),
    h("p", { class: "muted-warning", "data-testid": "muted-warning", hidden: true }, unheardText(view, mic)),
    handCount(view),
  );
}
