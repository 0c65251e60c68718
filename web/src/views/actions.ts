// How views ask for something: a command and a few words for what it is,
// so a refusal can be shown as "Could not mute Dr Cy: ...".
import type { v1 } from "@balint-room/sdk";

/** A phase change by its indexes: from where, to where. */
export interface PhaseStep {
  from: number;
  to: number;
}

export interface Actions {
  send(command: v1.Command, what: string): void;
  /**
   * Moves the session to another phase, guarded against the repeats of a
   * double click; when `step` says where from and to, going back is offered
   * for a while after (while the session is still where this step put it).
   */
  movePhase(command: v1.Command, what: string, step: PhaseStep | null): void;
  /** True for a moment after a phase change, while movePhase ignores presses. */
  readonly phaseStepsQuiet: boolean;
  /** Asks before something that cannot be undone; true to go on. */
  confirm(question: string): boolean;
}
