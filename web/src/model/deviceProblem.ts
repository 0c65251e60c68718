// What went wrong when the browser would not give us a microphone or a
// camera, read from getUserMedia's rejection. Pure.

export type DeviceProblem = "no-permission" | "no-device" | "in-use";

/** The problem a getUserMedia rejection names; null for errors that name none (not to be mislabelled). */
export function deviceProblemOf(error: unknown): DeviceProblem | null {
  const name = error instanceof Error || error instanceof DOMException ? error.name : "";
  switch (name) {
    case "NotAllowedError":
    case "SecurityError":
      return "no-permission";
    case "NotFoundError":
    case "OverconstrainedError": // the chosen deviceId is gone
      return "no-device";
    case "NotReadableError":
    case "AbortError": // Chromium and Firefox use it when the device fails to start
      return "in-use";
    default:
      return null;
  }
}
