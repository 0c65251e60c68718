// Every derived key goes through crypto_kdf_derive_from_key with an
// 8-byte context, so keys for different purposes never coincide.
import { type U64, toU64 } from "./bytes.js";
import { DIRECT_CONTEXT, GROUP_CONTEXT, KEY_BYTES, MEDIA_CONTEXT } from "./constants.js";
import { sodium } from "./sodium.js";

export function kdf(key: Uint8Array, id: U64, context: string, length = KEY_BYTES): Uint8Array {
  if (context.length !== 8) throw new RangeError(`kdf context must be 8 bytes: ${context}`);
  return sodium.crypto_kdf_derive_from_key(length, toU64(id), context, key);
}

export function groupChainRoot(senderSecret: Uint8Array): Uint8Array {
  return kdf(senderSecret, 1, GROUP_CONTEXT);
}

export function mediaKey(senderSecret: Uint8Array): Uint8Array {
  return kdf(senderSecret, 1, MEDIA_CONTEXT);
}

/** The sender passes pair.tx, the recipient pair.rx: the same bytes, unknown to any third member. */
export function directChainRoot(pairKey: Uint8Array, epoch: U64): Uint8Array {
  return kdf(pairKey, epoch, DIRECT_CONTEXT);
}
