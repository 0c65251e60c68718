// Where I stand in the meeting right now, in words: whether the server
// passes my audio on and, when it does not, why. The sticky bar, my
// controls and the announcements all say it the same way. Pure.
import { v1 } from "@balint-room/sdk";

import type { SessionView } from "./session.js";

export enum StandKind {
  MyTurn,
  MaySpeak,
  Muted,
  Observing,
  Waiting, // Silent now; the phase or the go-around lets me speak later.
}

export interface Stand {
  kind: StandKind;
  text: string; // Short, for the bar: "Your turn", "Observing".
}

/** Why the server does not forward my audio now; "" when it does. */
export function silencedBecause(view: SessionView): string {
  const me = view.me;
  if (me === undefined || me.maySpeak) return "";
  if (me.muted) return "A facilitator muted you.";
  if (view.phase === null) return "The session has not started.";
  const rule = view.phase.rule;
  if (me.presenter && rule === v1.SpeakingRule.ALL_BUT_PRESENTER) return "You observe in silence during this phase.";
  if (rule === v1.SpeakingRule.TURN_HOLDER && !view.inGoAround) return "You are not in this go-around.";
  if (rule === v1.SpeakingRule.TURN_HOLDER && !view.myTurn) return "Wait for your turn in the go-around.";
  if (rule === v1.SpeakingRule.TURN_HOLDER || rule === v1.SpeakingRule.EVERYONE)
    return "The server is not passing on your audio now."; // The rule would let me; something else does not.
  return `${view.phase.ruleText}.`;
}

/** Why the server does not forward my camera, which is on; "" when it does (or the camera is off). */
export function cameraPausedBecause(view: SessionView): string {
  const me = view.me;
  if (me === undefined || !me.cameraOn || me.sendingVideo) return "";
  if (me.videoStopped) return "A facilitator stopped your video: nobody sees your camera.";
  if (me.presenter && view.phase?.rule === v1.SpeakingRule.ALL_BUT_PRESENTER)
    return "Your camera is paused while the group discusses your case: it comes back when you rejoin the discussion.";
  return "The server is not passing on your video now.";
}

export function myStand(view: SessionView): Stand {
  const me = view.me;
  if (view.myTurn) return { kind: StandKind.MyTurn, text: view.myTurnFor ? `${view.myTurnFor}'s turn` : "Your turn" };
  if (me?.maySpeak) return { kind: StandKind.MaySpeak, text: me.floorHolder ? "You have the floor" : "You may speak" };
  if (me?.muted) return { kind: StandKind.Muted, text: "Muted by a facilitator" };
  if (me?.presenter && view.phase?.rule === v1.SpeakingRule.ALL_BUT_PRESENTER) return { kind: StandKind.Observing, text: "Observing in silence" };
  if (view.phase === null) return { kind: StandKind.Waiting, text: "Not started yet" };
  if (view.phase.rule === v1.SpeakingRule.TURN_HOLDER) return { kind: StandKind.Waiting, text: view.inGoAround ? "Waiting for your turn" : "Listening" };
  return { kind: StandKind.Waiting, text: "Listening" };
}

/** The server refuses a raised hand before the start, and from the observing presenter. */
export function mayRaiseHand(view: SessionView): boolean {
  const me = view.me;
  if (me === undefined || !view.started || view.ended) return false;
  return !(me.presenter && view.phase?.rule === v1.SpeakingRule.ALL_BUT_PRESENTER);
}
