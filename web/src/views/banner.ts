// The phase banner: which phase, how long is left (by the server's clock),
// and who may speak now.
import type { SessionView } from "../model/session.js";
import { type Child, h } from "../ui/dom.js";

/** A countdown the ticker keeps current (see ui/ticker.ts). */
export function countdown(deadlineMs: number, label: string): HTMLElement {
  return h("span", { class: "countdown", "data-deadline": deadlineMs, "aria-label": label, role: "timer" }, "");
}

export function banner(view: SessionView): Child {
  if (view.ended) return h("section", { class: "banner", "aria-label": "Phase" }, h("h2", {}, "The session has ended"));
  const phase = view.phase;
  if (phase === null)
    return h(
      "section",
      { class: "banner waiting", "aria-label": "Phase" },
      h("h2", { "data-testid": "phase-name" }, "Waiting to start"),
      h("p", { class: "rule" }, view.nextPhaseName ? `First: ${view.nextPhaseName}` : ""),
    );
  return h(
    "section",
    { class: "banner", "aria-label": "Phase" },
    h(
      "p",
      { class: "step" },
      `Phase ${phase.index + 1} of ${view.phases.length}`,
      view.nextPhaseName ? ` · next: ${view.nextPhaseName}` : "",
    ),
    h("h2", { "data-testid": "phase-name" }, phase.name),
    phase.last ? null : h("p", { class: "time" }, countdown(phase.plannedEndMs, "Time left in this phase")),
    h("p", { class: "rule", "data-testid": "phase-rule" }, phase.ruleText),
  );
}
