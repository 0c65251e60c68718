// What the screens show, derived from the server's latest SessionState and
// who I am. Pure: the views draw this and nothing else, so every screen
// agrees with the server and the rules are tested without a browser.
import { v1 } from "@balint-room/sdk";

export interface Person {
  id: string;
  name: string;
  role: v1.Role;
  roleLabel: string; // "Facilitator", "Presenter", "In the room", ...
  inRoom: boolean; // Sits in the meeting room, carried by a room device.
  roomDeviceId: string;
  connected: boolean;
  reconnecting: boolean; // Dropped; keeps their place until the server's deadline.
  maySpeak: boolean;
  mayChat: boolean;
  handRaised: boolean;
  handPosition: number; // 1 for the first raised hand; 0 when not raised.
  muted: boolean;
  cameraOn: boolean; // Their camera is on (whether or not the server forwards it).
  videoStopped: boolean; // A facilitator stopped their video.
  sendingVideo: boolean; // The server forwards their camera now: their tile shows it.
  initials: string; // For the tile of a camera that is off: "AL" for "Dr Ada Lovelace".
  presenter: boolean;
  turnHolder: boolean;
  floorHolder: boolean;
  inControl: boolean; // The facilitator (or co-facilitator) driving now.
  me: boolean;
}

export interface PhaseView {
  index: number;
  id: string;
  name: string;
  rule: v1.SpeakingRule;
  ruleText: string; // Who may speak, in words.
  guidance: string;
  startedMs: number;
  plannedEndMs: number;
  last: boolean; // A phase of 0 minutes ends the session.
}

export interface TurnEntry {
  id: string;
  name: string;
  status: v1.TurnStatus;
  statusLabel: string;
}

export interface Warning {
  kind: v1.WarningKind;
  text: string;
  deadlineMs: number; // The end it warns of, by the server's clock.
}

export interface SessionView {
  name: string;
  started: boolean;
  ended: boolean;
  phase: PhaseView | null; // Null before the start.
  phases: { index: number; name: string; minutes: number; rule: v1.SpeakingRule }[];
  hasGoAround: boolean; // Some phase of the format speaks in turns.
  hasObservation: boolean; // Some phase has the presenter listen in silence.
  presenterCamera: v1.PresenterCamera; // In the observation; UNSPECIFIED is read as ON.
  nextPhaseName: string; // "" after the last.
  sessionPlannedEndMs: number;
  people: Person[];
  me: Person | undefined;
  facilitator: boolean; // My role may drive the session.
  inControl: boolean; // I drive it now.
  roomDevice: boolean;
  presenterName: string;
  turnHolderName: string;
  floorHolderName: string;
  goAround: TurnEntry[];
  inGoAround: boolean; // I (or, on a room device, one of my attendees) am in its order.
  goAroundComplete: boolean;
  goAroundPaused: boolean; // The turn holder dropped; the turn waits for them.
  roundToStart: boolean; // The go-around phase, an order with someone waiting, and the round not started yet.
  // The turn is mine, or (on a room device) one of my attendees'.
  myTurn: boolean;
  myTurnFor: string; // The attendee who holds the turn through me; "" when it is mine.
  warnings: Warning[];
  hands: Person[]; // Raised hands, first raised first.
  groundRules: string;
  showGroundRules: boolean; // Before the start and at check-in.
  attendees: Person[]; // On a room device: the people it carries.
  keyEpoch: bigint;
}

const roleLabels: Record<number, string> = {
  [v1.Role.FACILITATOR]: "Facilitator",
  [v1.Role.CO_FACILITATOR]: "Co-facilitator",
  [v1.Role.PARTICIPANT]: "Participant",
  [v1.Role.ROOM]: "Room device",
};

const turnLabels: Record<number, string> = {
  [v1.TurnStatus.WAITING]: "waiting",
  [v1.TurnStatus.SPEAKING]: "speaking now",
  [v1.TurnStatus.FINISHED]: "finished",
  [v1.TurnStatus.PASSED]: "passed",
  [v1.TurnStatus.SKIPPED]: "skipped",
};

/** Who may speak under a rule, in words. */
export function ruleText(rule: v1.SpeakingRule, presenterName: string): string {
  const presenter = presenterName || "the presenter";
  switch (rule) {
    case v1.SpeakingRule.EVERYONE:
      return "Everyone may speak";
    case v1.SpeakingRule.PRESENTER_ONLY:
      return `Only ${presenter} speaks`;
    case v1.SpeakingRule.TURN_HOLDER:
      return "One at a time, in the go-around order";
    case v1.SpeakingRule.ALL_BUT_PRESENTER:
      return `${presenter} listens in silence; everyone else may speak`;
    case v1.SpeakingRule.FACILITATORS_ONLY:
      return "The facilitators speak, and whoever they give the floor to";
    default:
      return "";
  }
}

export function isFacilitatorRole(role: v1.Role): boolean {
  return role === v1.Role.FACILITATOR || role === v1.Role.CO_FACILITATOR;
}

// Titles are not a person's initials.
const titles = new Set(["dr", "prof", "mr", "mrs", "ms", "mx"]);

/** Up to two initials, from the first and last words of a name that are not titles: "Dr Ada Lovelace" gives "AL". */
export function initialsOf(name: string): string {
  const words = name.split(/\s+/).filter((w) => w !== "" && !titles.has(w.toLowerCase().replace(/\.$/, "")));
  const first = words[0];
  if (first === undefined) return [...name.trim()][0]?.toUpperCase() ?? "?";
  const last = words.length > 1 ? words[words.length - 1]! : "";
  return ([...first][0]! + ([...last][0] ?? "")).toUpperCase();
}

export function viewOf(state: v1.SessionState, myId: string): SessionView {
  const nameOf = (id: string) => state.roster.find((m) => m.participantId === id)?.displayName ?? "";
  const phases = state.format?.phases ?? [];
  const current = state.phaseIndex >= 0 ? phases[state.phaseIndex] : undefined;
  // The server keeps the go-around's place when the phase moves on; the turn
  // is only someone's while the phase is the go-around's.
  const turnHolderId = current?.rule === v1.SpeakingRule.TURN_HOLDER ? (state.goAround?.turnHolderId ?? "") : "";
  const people: Person[] = state.roster.map((m) => {
    const presenter = m.participantId === state.presenterId;
    const handIndex = state.handQueue.indexOf(m.participantId);
    return {
      id: m.participantId,
      name: m.displayName,
      role: m.role,
      roleLabel: presenter ? "Presenter" : m.location === v1.Location.IN_ROOM ? "In the room" : roleLabels[m.role] ?? "",
      inRoom: m.location === v1.Location.IN_ROOM,
      roomDeviceId: m.roomDeviceId,
      connected: m.connection === v1.ConnectionStatus.CONNECTED,
      reconnecting: m.connection === v1.ConnectionStatus.RECONNECTING,
      maySpeak: m.maySpeak,
      mayChat: m.mayChat,
      handRaised: m.handRaised,
      handPosition: handIndex + 1,
      muted: m.muted,
      cameraOn: m.cameraOn,
      videoStopped: m.videoStopped,
      sendingVideo: m.cameraOn && m.maySendVideo,
      initials: initialsOf(m.displayName),
      presenter,
      turnHolder: turnHolderId !== "" && m.participantId === turnHolderId,
      floorHolder: m.participantId === state.floorHolderId,
      inControl: m.participantId === state.controllerId,
      me: m.participantId === myId,
    };
  });
  const me = people.find((p) => p.me);
  const presenterName = nameOf(state.presenterId);
  const phase: PhaseView | null = current
    ? {
        index: state.phaseIndex,
        id: current.id,
        name: current.name,
        rule: current.rule,
        ruleText: ruleText(current.rule, presenterName),
        guidance: current.guidance,
        startedMs: Number(state.phaseStartedMs),
        plannedEndMs: Number(state.phasePlannedEndMs),
        last: current.plannedSeconds === 0,
      }
    : null;
  const next = phases[state.phaseIndex + 1];
  const turnHolder = people.find((p) => p.id === turnHolderId);
  const myTurn = turnHolder !== undefined && (turnHolder.me || (me !== undefined && turnHolder.roomDeviceId === me.id));
  const warnings: Warning[] = state.warnings.map((w) => ({
    kind: w.kind,
    text:
      w.kind === v1.WarningKind.PHASE_ENDING
        ? "One minute left in this phase"
        : w.kind === v1.WarningKind.SESSION_ENDING
          ? "Ten minutes to the end of the session"
          : "",
    deadlineMs: Number(w.deadlineMs),
  }));
  const order = state.goAround?.order ?? [];
  const mine = (id: string) => id === myId || people.some((p) => p.id === id && p.roomDeviceId === myId && myId !== "");
  return {
    name: state.name,
    started: state.phaseIndex >= 0,
    ended: state.ended,
    phase,
    phases: phases.map((p, index) => ({ index, name: p.name, minutes: Math.round(p.plannedSeconds / 60), rule: p.rule })),
    hasGoAround: phases.some((p) => p.rule === v1.SpeakingRule.TURN_HOLDER),
    hasObservation: phases.some((p) => p.rule === v1.SpeakingRule.ALL_BUT_PRESENTER),
    presenterCamera: state.presenterCamera === v1.PresenterCamera.UNSPECIFIED ? v1.PresenterCamera.ON : state.presenterCamera,
    nextPhaseName: state.phaseIndex < 0 ? phases[0]?.name ?? "" : next?.name ?? "",
    sessionPlannedEndMs: Number(state.sessionPlannedEndMs),
    people,
    me,
    facilitator: me !== undefined && isFacilitatorRole(me.role),
    inControl: me?.inControl ?? false,
    roomDevice: me?.role === v1.Role.ROOM,
    presenterName,
    turnHolderName: turnHolder?.name ?? "",
    floorHolderName: nameOf(state.floorHolderId),
    goAround: order.map((e) => ({
      id: e.participantId,
      name: nameOf(e.participantId) || e.participantId,
      status: e.status,
      statusLabel: turnLabels[e.status] ?? "",
    })),
    inGoAround: order.some((e) => mine(e.participantId)),
    goAroundComplete: state.goAround?.complete ?? false,
    goAroundPaused: turnHolderId !== "" && (state.goAround?.paused ?? false),
    roundToStart:
      current?.rule === v1.SpeakingRule.TURN_HOLDER &&
      !(state.goAround?.started ?? false) &&
      order.some((e) => e.status === v1.TurnStatus.WAITING),
    myTurn,
    myTurnFor: myTurn && !turnHolder!.me ? turnHolder!.name : "",
    warnings,
    hands: people.filter((p) => p.handRaised && p.handPosition > 0).sort((a, b) => a.handPosition - b.handPosition),
    groundRules: state.groundRules,
    showGroundRules: state.groundRules !== "" && (state.phaseIndex < 0 || current?.id === "check-in"),
    attendees: me?.role === v1.Role.ROOM ? people.filter((p) => p.roomDeviceId === me.id) : [],
    keyEpoch: state.keyEpoch,
  };
}
