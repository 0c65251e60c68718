// One builder per command of the protocol, so that applications never spell
// a oneof by hand: `client.send(cmd.nextPhase())`.
import { create } from "@bufbuild/protobuf";

import { type Command, CommandSchema, type PresenterCamera } from "../gen/balint/v1/balint_pb.js";

type Init = Parameters<typeof create<typeof CommandSchema>>[1];
const command = (init: Init): Command => create(CommandSchema, init);

export const cmd = {
  nextPhase: () => command({ kind: { case: "nextPhase", value: {} } }),
  previousPhase: () => command({ kind: { case: "previousPhase", value: {} } }),
  jumpToPhase: (phaseIndex: number) => command({ kind: { case: "jumpToPhase", value: { phaseIndex } } }),
  /** 1 to 3600 seconds. */
  extendPhase: (seconds: number) => command({ kind: { case: "extendPhase", value: { seconds } } }),
  endSession: () => command({ kind: { case: "endSession", value: {} } }),
  setPresenter: (participantId: string) => command({ kind: { case: "setPresenter", value: { participantId } } }),
  buildGoAround: () => command({ kind: { case: "buildGoAround", value: {} } }),
  setGoAroundOrder: (participantIds: string[]) =>
    command({ kind: { case: "setGoAroundOrder", value: { participantIds } } }),
  /** In the go-around phase: the turn goes to the first person waiting. */
  startGoAround: () => command({ kind: { case: "startGoAround", value: {} } }),
  passTurn: () => command({ kind: { case: "passTurn", value: {} } }),
  finishTurn: () => command({ kind: { case: "finishTurn", value: {} } }),
  skipTurn: () => command({ kind: { case: "skipTurn", value: {} } }),
  /** Empty: my own hand; a room device names one of its attendees. */
  raiseHand: (participantId = "") => command({ kind: { case: "raiseHand", value: { participantId } } }),
  /** Empty: my own hand; a facilitator may lower anyone's. */
  lowerHand: (participantId = "") => command({ kind: { case: "lowerHand", value: { participantId } } }),
  /** Empty: take the floor back. */
  giveFloor: (participantId = "") => command({ kind: { case: "giveFloor", value: { participantId } } }),
  mute: (participantId: string) => command({ kind: { case: "mute", value: { participantId } } }),
  unmute: (participantId: string) => command({ kind: { case: "unmute", value: { participantId } } }),
  setCamera: (on: boolean) => command({ kind: { case: "setCamera", value: { on } } }),
  stopVideo: (participantId: string) => command({ kind: { case: "stopVideo", value: { participantId } } }),
  allowVideo: (participantId: string) => command({ kind: { case: "allowVideo", value: { participantId } } }),
  setPresenterCamera: (policy: PresenterCamera) => command({ kind: { case: "setPresenterCamera", value: { policy } } }),
  removeMember: (participantId: string, revokeToken = false) =>
    command({ kind: { case: "removeMember", value: { participantId, revokeToken } } }),
  /** From a room device, leave the device id empty (itself). */
  addRoomAttendee: (displayName: string, roomDeviceId = "") =>
    command({ kind: { case: "addRoomAttendee", value: { displayName, roomDeviceId } } }),
  removeRoomAttendee: (participantId: string) =>
    command({ kind: { case: "removeRoomAttendee", value: { participantId } } }),
  leave: () => command({ kind: { case: "leave", value: {} } }),
};
