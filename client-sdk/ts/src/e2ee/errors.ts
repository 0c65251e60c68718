// The error names are those of E2EE.md and the negative vectors, so a
// failure means the same thing in the C++ and the TypeScript SDK.
export type E2eeErrorCode =
  | "bad_key"
  | "bad_signature"
  | "no_key"
  | "wrong_recipient"
  | "replay"
  | "counter_jump"
  | "tampered"
  | "bad_padding"
  | "too_long"
  | "unknown_sender"
  | "stale_epoch"
  | "malformed";

export class E2eeError extends Error {
  constructor(readonly code: E2eeErrorCode, message?: string) {
    super(message ?? code);
    this.name = "E2eeError";
  }
}
