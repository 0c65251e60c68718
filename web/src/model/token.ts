// What a join link says about its holder, read from the token's payload
// before connecting, so the join screen can greet them and an expired link
// is explained at once. Not a check: the server verifies the signature.

export interface LinkClaims {
  participantId: string;
  displayName: string;
  sessionId: string;
  role: string; // "facilitator", "co_facilitator", "participant" or "room".
  expiresAtMs: number; // 0 if the token names no expiry.
}

function base64UrlDecode(text: string): string {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  const binary = atob(padded);
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

/** The claims of a join token; null when it is not one. */
export function readClaims(token: string): LinkClaims | null {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  try {
    const payload = JSON.parse(base64UrlDecode(parts[1]!)) as Record<string, unknown>;
    const text = (key: string) => (typeof payload[key] === "string" ? (payload[key] as string) : "");
    const exp = typeof payload.exp === "number" ? payload.exp * 1000 : 0;
    if (text("sub") === "" || text("sid") === "") return null;
    return { participantId: text("sub"), displayName: text("name"), sessionId: text("sid"), role: text("role"), expiresAtMs: exp };
  } catch {
    return null;
  }
}
