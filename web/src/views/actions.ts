// How views ask for something: a command and a few words for what it is,
// so a refusal can be shown as "Could not mute Dr Cy: ...".
import type { v1 } from "@balint-room/sdk";

export interface Actions {
  send(command: v1.Command, what: string): void;
  /** Asks before something that cannot be undone; true to go on. */
  confirm(question: string): boolean;
}
