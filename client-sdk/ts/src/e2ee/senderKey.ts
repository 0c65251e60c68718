// A sender secret travels to each recipient sealed with the pairwise key,
// bound to session, epoch, sender and recipient by the associated data.
import { ByteWriter, type U64, concatBytes } from "./bytes.js";
import { NONCE_BYTES, SEALED_SENDER_KEY_BYTES, SENDER_KEY_LABEL } from "./constants.js";
import { E2eeError } from "./errors.js";
import { sodium } from "./sodium.js";

export interface SenderKeyContext {
  sessionId: string;
  epoch: U64;
  senderId: string;
  recipientId: string;
}

export function senderKeyAd(c: SenderKeyContext): Uint8Array {
  return new ByteWriter()
    .label(SENDER_KEY_LABEL)
    .str(c.sessionId)
    .u64(c.epoch)
    .str(c.senderId)
    .str(c.recipientId)
    .take();
}

/** nonce(24) || ciphertext(32 + 16) = 72 bytes. The nonce is random unless a test fixes it. */
export function sealSenderKey(
  senderSecret: Uint8Array,
  tx: Uint8Array,
  context: SenderKeyContext,
  nonce: Uint8Array = sodium.randombytes_buf(NONCE_BYTES),
): Uint8Array {
  const sealed = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
    senderSecret,
    senderKeyAd(context),
    null,
    nonce,
    tx,
  );
  return concatBytes(nonce, sealed);
}

export function openSenderKey(sealed: Uint8Array, rx: Uint8Array, context: SenderKeyContext): Uint8Array {
  if (sealed.length !== SEALED_SENDER_KEY_BYTES) throw new E2eeError("malformed");
  const nonce = sealed.subarray(0, NONCE_BYTES);
  try {
    return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      null,
      sealed.subarray(NONCE_BYTES),
      senderKeyAd(context),
      nonce,
      rx,
    );
  } catch {
    throw new E2eeError("tampered");
  }
}
