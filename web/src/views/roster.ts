// The people in the session: who may speak now, who is in the room, whose
// hand is up; with the controller's per-person actions.
import { cmd } from "@balint-room/sdk";

import { type Person, type SessionView, isFacilitatorRole } from "../model/session.js";
import { type Child, button, h } from "../ui/dom.js";
import type { Actions } from "./actions.js";

function badges(p: Person): Child[] {
  const out: Child[] = [];
  if (p.reconnecting) out.push(h("span", { class: "badge away" }, "reconnecting…"));
  else if (!p.connected) out.push(h("span", { class: "badge away" }, "away"));
  if (p.turnHolder) out.push(h("span", { class: "badge turn" }, "has the turn"));
  if (p.floorHolder) out.push(h("span", { class: "badge turn" }, "has the floor"));
  if (p.handRaised) out.push(h("span", { class: "badge hand" }, `hand raised (${p.handPosition})`));
  if (p.muted) out.push(h("span", { class: "badge muted" }, "muted by facilitator"));
  if (p.videoStopped) out.push(h("span", { class: "badge muted" }, "video stopped by facilitator"));
  if (p.inControl) out.push(h("span", { class: "badge" }, "leading"));
  return out;
}

function speaking(p: Person): Child {
  // The speech state, in words and not in colour alone.
  return p.maySpeak
    ? h("span", { class: "may-speak", title: "may speak now" }, "may speak")
    : h("span", { class: "silent", title: "may not speak now" }, "silent");
}

function controls(p: Person, view: SessionView, act: Actions): Child {
  if (!view.inControl || p.me) return null;
  const key = (what: string) => `${what}-${p.id}`;
  return h(
    "span",
    { class: "row-actions" },
    p.muted
      ? button("Unmute", () => act.send(cmd.unmute(p.id), `unmute ${p.name}`), { "data-key": key("unmute"), "aria-label": `Unmute ${p.name}` })
      : button("Mute", () => act.send(cmd.mute(p.id), `mute ${p.name}`), { "data-key": key("mute"), "aria-label": `Mute ${p.name}` }),
    p.videoStopped
      ? button("Allow video", () => act.send(cmd.allowVideo(p.id), `allow ${p.name}'s video`), {
          "data-key": key("video"),
          "aria-label": `Allow video for ${p.name}`,
        })
      : p.cameraOn && !isFacilitatorRole(p.role) // The server stops no facilitator's video.
        ? button("Stop video", () => act.send(cmd.stopVideo(p.id), `stop ${p.name}'s video`), {
            "data-key": key("video"),
            "aria-label": `Stop video for ${p.name}`,
          })
        : null,
    p.handRaised
      ? button("Lower hand", () => act.send(cmd.lowerHand(p.id), `lower ${p.name}'s hand`), {
          "data-key": key("lower"),
          "aria-label": `Lower hand for ${p.name}`,
        })
      : null,
    p.floorHolder
      ? button("Take floor back", () => act.send(cmd.giveFloor(""), "take the floor back"), { "data-key": key("floor") })
      : button("Give floor", () => act.send(cmd.giveFloor(p.id), `give ${p.name} the floor`), {
          "data-key": key("floor"),
          "aria-label": `Give floor to ${p.name}`,
        }),
    button(
      "Remove",
      () => act.confirm(`Remove ${p.name} from the session?`) && act.send(cmd.removeMember(p.id), `remove ${p.name}`),
      { class: "danger", "data-key": key("remove"), "aria-label": `Remove ${p.name}` },
    ),
  );
}

export function roster(view: SessionView, act: Actions): Child {
  const people = view.people;
  return h(
    "section",
    { class: "panel roster", "aria-labelledby": "roster-title" },
    h("h3", { id: "roster-title" }, `People (${people.length})`),
    h(
      "ul",
      { "data-testid": "roster" },
      people.map((p) =>
        h(
          "li",
          { class: p.maySpeak ? "person speaking-allowed" : "person", "data-participant": p.id },
          h("span", { class: "who" }, h("strong", {}, p.name), p.me ? " (you)" : "", h("span", { class: "role" }, p.roleLabel)),
          speaking(p),
          badges(p),
          controls(p, view, act),
        ),
      ),
    ),
  );
}
