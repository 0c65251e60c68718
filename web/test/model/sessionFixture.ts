// A CCDG session with five people (a facilitator, the presenter, a member
// who is away, a room device and the attendee in it, whose hand is up), as
// the server would send it, for the view-model tests to change a field of.
import { create } from "@bufbuild/protobuf";
import { v1 } from "@balint-room/sdk";

export const ccdgPhases = [
  { id: "check-in", name: "Check-in", plannedSeconds: 300, rule: v1.SpeakingRule.EVERYONE },
  { id: "go-around", name: "Go-around", plannedSeconds: 900, rule: v1.SpeakingRule.TURN_HOLDER, guidance: "Each in turn." },
  { id: "wrap-up", name: "Wrap-up", plannedSeconds: 0, rule: v1.SpeakingRule.FACILITATORS_ONLY },
];

// Balint's shape, as far as who speaks goes: the presenter observes in the middle.
export const balintPhases = [
  { id: "presentation", name: "Presentation", plannedSeconds: 600, rule: v1.SpeakingRule.PRESENTER_ONLY },
  { id: "observation", name: "Observation", plannedSeconds: 1200, rule: v1.SpeakingRule.ALL_BUT_PRESENTER },
  { id: "re-entry", name: "Re-entry", plannedSeconds: 600, rule: v1.SpeakingRule.EVERYONE },
];

// The fields a test sets on top of a CCDG session with five people.
interface Overrides {
  phases?: typeof ccdgPhases;
  floorHolderId?: string;
  handQueue?: string[];
  phaseIndex?: number;
  phasePlannedEndMs?: bigint;
  goAround?: { order: { participantId: string; status: v1.TurnStatus }[]; turnHolderId: string; paused?: boolean; started?: boolean };
  warnings?: { kind: v1.WarningKind; deadlineMs: bigint }[];
}

export function state({ phases = ccdgPhases, ...overrides }: Overrides = {}) {
  return create(v1.SessionStateSchema, {
    name: "Tuesday group",
    format: { id: "ccdg", name: "CCDG", phases },
    phaseIndex: -1,
    presenterId: "pre",
    controllerId: "fac",
    groundRules: "What is said here stays here.",
    roster: [
      { participantId: "fac", displayName: "Dr Ada", role: v1.Role.FACILITATOR, location: v1.Location.REMOTE, connection: v1.ConnectionStatus.CONNECTED, maySpeak: true },
      { participantId: "pre", displayName: "Dr Bo", role: v1.Role.PARTICIPANT, location: v1.Location.REMOTE, connection: v1.ConnectionStatus.CONNECTED },
      { participantId: "m1", displayName: "Dr Cy", role: v1.Role.PARTICIPANT, location: v1.Location.REMOTE, connection: v1.ConnectionStatus.DISCONNECTED },
      { participantId: "room", displayName: "Room 3", role: v1.Role.ROOM, location: v1.Location.IN_ROOM, connection: v1.ConnectionStatus.CONNECTED },
      { participantId: "r1", displayName: "Dr Eve", role: v1.Role.PARTICIPANT, location: v1.Location.IN_ROOM, connection: v1.ConnectionStatus.CONNECTED, roomDeviceId: "room", handRaised: true },
    ],
    handQueue: ["r1"],
    ...overrides,
  });
}

/** One person's line of the roster, to change a field of. */
export function member(s: v1.SessionState, id: string): v1.Member {
  const entry = s.roster.find((m) => m.participantId === id);
  if (entry === undefined) throw new Error(`no ${id} in the fixture`);
  return entry;
}
