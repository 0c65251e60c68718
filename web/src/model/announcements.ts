// What a screen reader says when the meeting changes for me: the phase and
// who may speak in it, my turn, the floor, being muted. Drawn into a polite
// live region, from two views (before and after a state) so that only
// changes are spoken, never the whole page. Pure.
import { v1 } from "@balint-room/sdk";

import type { SessionView } from "./session.js";

export function announcements(before: SessionView | null, after: SessionView): string[] {
  const out: string[] = [];
  const was = before?.me;
  const me = after.me;
  if (after.ended || me === undefined) return out;

  const phase = after.phase;
  if (phase !== null && phase.index !== before?.phase?.index) {
    if (me.presenter && phase.rule === v1.SpeakingRule.ALL_BUT_PRESENTER)
      out.push(`${phase.name}. You observe in silence${after.nextPhaseName ? ` until ${after.nextPhaseName}` : ""}.`);
    else out.push(`${phase.name}. ${phase.ruleText}.`);
  }
  if (after.myTurn && !before?.myTurn) out.push(after.myTurnFor ? `${after.myTurnFor}'s turn` : "It's your turn");
  if (me.floorHolder && !was?.floorHolder) out.push("You have the floor");
  if (!me.floorHolder && was?.floorHolder) out.push("The facilitator took the floor back");
  if (me.muted && was !== undefined && !was.muted) out.push("The facilitator muted you");
  if (!me.muted && was?.muted) out.push("The facilitator unmuted you");
  return out;
}

/** Hands raised since the last view, for the facilitators' notice: their names. */
export function newHands(before: SessionView | null, after: SessionView): string[] {
  if (before === null) return [];
  const up = new Set(before.hands.map((p) => p.id));
  return after.hands.filter((p) => !up.has(p.id)).map((p) => p.name);
}
