// What the top bar says about the connection. A restarting server asks
// everyone back by itself, so the page says so rather than blaming the network.

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
