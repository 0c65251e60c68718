// Client-side result codes, above the protocol's ErrorCode values, with the
// same numbers as the C++ SDK (status.hpp): a result that never reached the
// server says why in its own code.
import type { ErrorCode } from "../gen/balint/v1/balint_pb.js";

export const ClientErrorCode = {
  NOT_CONNECTED: 1001 as ErrorCode,
  TIMEOUT: 1002 as ErrorCode,
  CONNECTION_CLOSED: 1003 as ErrorCode,
  KEYS_NOT_READY: 1006 as ErrorCode,
} as const;

/** Why connect() failed: the network, the server's refusal, or the time it took. */
export class ConnectError extends Error {
  constructor(
    readonly code: "network" | "refused" | "timeout" | "keys" | "closed",
    message: string,
  ) {
    super(message);
    this.name = "ConnectError";
  }
}
