// The facilitator's console: phases, time, the presenter, the end; and the
// warnings the server raises for facilitators (a minute left in the phase,
// ten minutes to the end).
import { cmd, v1 } from "@balint-room/sdk";

import type { SessionView } from "../model/session.js";
import { type Child, button, h } from "../ui/dom.js";
import type { Actions } from "./actions.js";

function warnings(view: SessionView): Child {
  if (view.warnings.length === 0) return null;
  return h(
    "ul",
    { class: "warnings", role: "status", "data-testid": "warnings" },
    view.warnings.map((w) => h("li", {}, "⚠ ", w.text)),
  );
}

function phaseControls(view: SessionView, act: Actions): Child {
  const jump = h(
    "select",
    { "aria-label": "Phase to jump to", "data-key": "jump-select" },
    view.phases.map((p) => h("option", { value: p.index, selected: p.index === view.phase?.index }, `${p.index + 1}. ${p.name}`)),
  );
  const next = view.started ? `Next: ${view.nextPhaseName}` : `Start: ${view.nextPhaseName}`;
  return h(
    "div",
    { class: "actions" },
    button(next, () => act.send(cmd.nextPhase(), view.started ? "move to the next phase" : "start"), {
      class: "primary",
      disabled: view.nextPhaseName === "",
      "data-key": "next",
    }),
    button("Previous", () => act.send(cmd.previousPhase(), "go back a phase"), {
      disabled: !view.started || view.phase?.index === 0,
      "data-key": "prev",
    }),
    jump,
    button("Go", () => act.send(cmd.jumpToPhase(Number(jump.value)), "jump to that phase"), {
      "aria-label": "Jump to the chosen phase",
      "data-key": "jump",
    }),
    button("+1 min", () => act.send(cmd.extendPhase(60), "extend the phase"), {
      disabled: !view.started,
      "aria-label": "Give this phase one more minute",
      "data-key": "extend1",
    }),
    button("+5 min", () => act.send(cmd.extendPhase(300), "extend the phase"), {
      disabled: !view.started,
      "aria-label": "Give this phase five more minutes",
      "data-key": "extend5",
    }),
  );
}

function presenterControl(view: SessionView, act: Actions): Child {
  const people = view.people.filter((p) => p.role === v1.Role.PARTICIPANT);
  const select = h(
    "select",
    { "aria-label": "Presenter", "data-key": "presenter-select" },
    h("option", { value: "" }, "(choose)"),
    people.map((p) => h("option", { value: p.id, selected: p.presenter }, p.name)),
  );
  return h(
    "div",
    { class: "actions" },
    h("label", {}, "Presenter ", select),
    button("Set", () => select.value && act.send(cmd.setPresenter(select.value), "set the presenter"), { "data-key": "set-presenter" }),
  );
}

export function facilitatorConsole(view: SessionView, act: Actions): Child {
  if (!view.facilitator || view.ended) return null;
  if (!view.inControl)
    return h(
      "section",
      { class: "panel console", "aria-labelledby": "console-title" },
      h("h3", { id: "console-title" }, "Facilitator console"),
      h("p", { class: "hint" }, "Another facilitator is leading; your controls return when you lead."),
      warnings(view),
    );
  return h(
    "section",
    { class: "panel console", "aria-labelledby": "console-title" },
    h("h3", { id: "console-title" }, "Facilitator console"),
    warnings(view),
    view.phase?.guidance ? h("p", { class: "guidance" }, view.phase.guidance) : null,
    phaseControls(view, act),
    presenterControl(view, act),
    h(
      "div",
      { class: "actions end" },
      button("End session", () => act.confirm("End the session for everyone?") && act.send(cmd.endSession(), "end the session"), {
        class: "danger",
        "data-key": "end",
      }),
    ),
  );
}
