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
    view.warnings.map((w) =>
      h(
        "li",
        {},
        "⚠ ",
        w.text,
        // Past the deadline the warning says by how much (the ticker keeps it current).
        w.kind === v1.WarningKind.PHASE_ENDING ? [" · ", h("span", { "data-deadline": w.deadlineMs, "data-words": "", "data-testid": "overtime" }, "")] : null,
      ),
    ),
  );
}

function phaseControls(view: SessionView, act: Actions): Child {
  const jump = h(
    "select",
    { "aria-label": "Phase to jump to", "data-key": "jump-select" },
    view.phases.map((p) => h("option", { value: p.index, selected: p.index === view.phase?.index }, `${p.index + 1}. ${p.name}`)),
  );
  const next = view.started ? `Next: ${view.nextPhaseName}` : `Start: ${view.nextPhaseName}`;
  const here = view.phase?.index ?? -1;
  // Still focusable while quiet (the keyboard stays put), but read and shown as unavailable.
  const quiet = act.phaseStepsQuiet ? "true" : null;
  return h(
    "div",
    { class: "actions" },
    button(
      next,
      () =>
        view.started
          ? act.movePhase(cmd.nextPhase(), "move to the next phase", { from: here, to: here + 1 })
          : act.movePhase(cmd.nextPhase(), "start", null), // Nothing to go back to before the start.
      { class: "primary", disabled: view.nextPhaseName === "", "aria-disabled": quiet, "data-key": "next" },
    ),
    button("Previous", () => act.movePhase(cmd.previousPhase(), "go back a phase", { from: here, to: here - 1 }), {
      disabled: !view.started || here === 0,
      "aria-disabled": quiet,
      "data-key": "prev",
    }),
    jump,
    button("Go", () => act.movePhase(cmd.jumpToPhase(Number(jump.value)), "jump to that phase", here >= 0 ? { from: here, to: Number(jump.value) } : null), {
      "aria-label": "Go to the chosen phase",
      "aria-disabled": quiet,
      "data-key": "jump",
    }),
    button("+1 min", () => act.send(cmd.extendPhase(60), "extend the phase"), {
      disabled: !view.started,
      "aria-label": "+1 min: give this phase one more minute",
      "data-key": "extend1",
    }),
    button("+5 min", () => act.send(cmd.extendPhase(300), "extend the phase"), {
      disabled: !view.started,
      "aria-label": "+5 min: give this phase five more minutes",
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

const cameraChoices: [v1.PresenterCamera, string][] = [
  [v1.PresenterCamera.ON, "On: the group sees them listen"],
  [v1.PresenterCamera.OFF, "Off: the server holds it back"],
  [v1.PresenterCamera.PRESENTERS_CHOICE, "The presenter's choice"],
];

// The "push-back": whether the group sees the presenter during the observation.
function presenterCameraControl(view: SessionView, act: Actions): Child {
  if (!view.hasObservation) return null;
  const select = h(
    "select",
    {
      "aria-label": "Presenter's camera in the observation",
      "data-testid": "presenter-camera",
      "data-key": "presenter-camera", // Keeps the keyboard here across redraws.
      onchange: () => {
        delete select.dataset.touched; // Applied at once: the next state shows what the server made of it.
        act.send(cmd.setPresenterCamera(Number(select.value) as v1.PresenterCamera), "set the presenter's camera");
      },
    },
    cameraChoices.map(([value, label]) => h("option", { value, selected: value === view.presenterCamera }, label)),
  );
  return h("div", { class: "actions" }, h("label", {}, "Presenter's camera in the observation ", select));
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
    view.phase?.rule === v1.SpeakingRule.FACILITATORS_ONLY
      ? h("p", { class: "hint", "data-testid": "floor-hint" }, "Only the facilitators are heard now. To let someone speak, give them the floor (Give floor, beside their name).")
      : null,
    phaseControls(view, act),
    presenterControl(view, act),
    presenterCameraControl(view, act),
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
