// One place that owns the libsodium instance, so every module shares the
// same initialised copy.
import sodium from "libsodium-wrappers";

let readyOnce: Promise<void> | undefined;

/** Resolves once libsodium is initialised; call (and await) before anything else. */
export function ready(): Promise<void> {
  readyOnce ??= sodium.ready;
  return readyOnce;
}

export { sodium };
