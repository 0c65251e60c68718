// Asks the server, over plain HTTP, what joining with a link would meet now,
// without joining (GET /api/v1/join). A browser is never told why a server
// refused a WebSocket, so this is how a page can say "the session has ended"
// or "a facilitator revoked this link" instead of retrying. A 503
// (server_restarting) is not a refusal: the server asks to be tried again.
import type { JoinTarget } from "./joinLink.js";

export type JoinCheck =
  | { ok: true; sessionId: string; sessionName: string; participantId: string; displayName: string; role: string }
  | { ok: false; status: number; code: string; message: string };

/** The check's HTTP URL for a WebSocket URL: same host, `<prefix>/api/v1/join`. */
export function joinCheckUrl(wsUrl: string): string {
  const url = new URL(wsUrl);
  url.protocol = url.protocol === "wss:" ? "https:" : "http:";
  url.pathname = url.pathname.replace(/\/ws$/, "") + "/api/v1/join";
  url.search = "";
  return url.toString();
}

/** What to ask about: a join link, or a resume credential (Welcome.resume_credential) for the server at wsUrl. */
export type JoinCheckTarget = JoinTarget | { wsUrl: string; resumeCredential: string };

/**
 * The server's answer, for a link or for a resume credential (what resuming
 * with it would meet now); throws (a TypeError from fetch) when the server
 * cannot be reached.
 */
export async function checkJoin(target: JoinCheckTarget, fetchImpl: typeof fetch = fetch): Promise<JoinCheck> {
  const authorization = "resumeCredential" in target ? `Resume ${target.resumeCredential}` : `Bearer ${target.token}`;
  const response = await fetchImpl(joinCheckUrl(target.wsUrl), { headers: { Authorization: authorization } });
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown> & {
    error?: { code?: string; message?: string };
  };
  if (response.ok) {
    const text = (key: string) => (typeof body[key] === "string" ? (body[key] as string) : "");
    return {
      ok: true,
      sessionId: text("session_id"),
      sessionName: text("session_name"),
      participantId: text("participant_id"),
      displayName: text("display_name"),
      role: text("role"),
    };
  }
  return {
    ok: false,
    status: response.status,
    code: body.error?.code ?? "http_error",
    message: body.error?.message ?? `the server answered ${response.status}`,
  };
}
