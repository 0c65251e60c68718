// AudioUnavailable: the one error the UI needs to handle when live audio
// cannot start, with a machine-readable `reason` to pick what to show and a
// message that can be shown as is.

import { type DeviceProblem, deviceProblemOf } from "../model/deviceProblem.js";

export type AudioUnavailableReason = DeviceProblem | "unsupported";

const MESSAGES: Record<AudioUnavailableReason, string> = {
  "no-permission":
    "The browser is not allowed to use the microphone. Allow microphone access for this site, then try again.",
  "no-device": "No microphone was found. Connect one, or choose another input, then try again.",
  unsupported:
    "This browser cannot send or play live audio here (it needs WebCodecs with Opus and AudioWorklet on a secure page). Use a current Chrome, Edge, Firefox or Safari.",
  "in-use":
    "The microphone could not be started. Another application may be using it; close that application or choose another input.",
};

export class AudioUnavailable extends Error {
  override readonly name = "AudioUnavailable";

  constructor(
    readonly reason: AudioUnavailableReason,
    message: string = MESSAGES[reason],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Maps a getUserMedia rejection to an AudioUnavailable; errors that match no
 * reason are returned unchanged so that they are not mislabelled.
 */
export function fromGetUserMediaError(error: unknown): unknown {
  const problem = deviceProblemOf(error);
  return problem === null ? error : new AudioUnavailable(problem, undefined, { cause: error });
}
