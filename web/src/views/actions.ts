// How views ask for something: a command and a few words for what it is,
// so a refusal can be shown as "Could not mute Dr Cy: ...".
import type { v1 } from "@balint-room/sdk";

export interface Actions {
  send(command: v1.Command, what: string): void;
  /**
   * Moves the session to another phase, guarded against the repeats of a
   * double click; `undo` (when there is a way back) is offered for a while after.
   */
  movePhase(command: v1.Command, what: string, undo: v1.Command | null): void;
  /** True for a moment after a phase change, while movePhase ignores presses. */
  readonly phaseStepsQuiet: boolean;
  /** Asks before something that cannot be undone; true to go on. */
  confirm(question: string): boolean;
}
