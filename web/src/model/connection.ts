// What the top bar says about the connection, and the last screen about
// how it ended. A restarting server asks everyone back by itself, so the
// page says so rather than blaming the network.
import { v1 } from "@balint-room/sdk";

export type Connection = "connecting" | "connected" | "reconnecting";

const words: Record<Connection, string> = {
  connecting: "Connecting…",
  connected: "Connected",
  reconnecting: "Connection lost: reconnecting…",
};

/** `serverRestarting`: the connection ended with the server's Goodbye saying it restarts. */
export function connectionText(state: Connection, serverRestarting = false): string {
  if (state === "reconnecting" && serverRestarting) return "The server is restarting: reconnecting…";
  return words[state];
}

/** The end screen's heading when the server said Goodbye for `reason`; its own `message` otherwise. */
export function goodbyeText(reason: v1.GoodbyeReason, message: string): string {
  switch (reason) {
    case v1.GoodbyeReason.LEFT:
      return "You left the session";
    case v1.GoodbyeReason.REMOVED:
      return "A facilitator removed you from the session";
    case v1.GoodbyeReason.SIGNED_IN_ELSEWHERE:
      return "You joined from another window or device: the meeting continues there";
    case v1.GoodbyeReason.SESSION_ENDED:
      return "The session has ended";
    default:
      return `Disconnected: ${message}`;
  }
}
