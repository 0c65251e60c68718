// Why a link cannot be used, in words for the person holding it, from the
// server's refusal (GET /api/v1/join); the server's own message follows.

const explanations: Record<string, string> = {
  session_ended: "The session has ended.",
  token_revoked: "A facilitator has withdrawn this link. Ask them for a new one if you should be there.",
  invalid_token: "This link is not valid: it may have expired or been cut short. Ask the facilitator for a new one.",
  missing_token: "This link is incomplete: ask the facilitator to send it again.",
  unknown_session: "The session is not on this server: it may have ended some time ago.",
  session_full: "The session is full.",
};

export function joinProblem(code: string, message: string): string {
  const explanation = explanations[code];
  return explanation === undefined ? `The server refused this link: ${message}.` : `${explanation} (${message})`;
}
