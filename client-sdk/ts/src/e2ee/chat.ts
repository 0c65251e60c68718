// Chat messages: padded, sealed with a one-time chain key and signed over
// ad || ciphertext, so bytes altered in transit fail the signature first.
import { ByteWriter, type U64, concatBytes, toU64, utf8 } from "./bytes.js";
import { CHAT_LABEL, MAX_CHAT_TEXT_BYTES, PAD_BLOCK, TAG_BYTES } from "./constants.js";
import { E2eeError } from "./errors.js";
import type { MessageKeys, ReceiveChain } from "./chain.js";
import { sign, signatureValid } from "./keys.js";
import { sodium } from "./sodium.js";

export interface ChatContext {
  sessionId: string;
  epoch: U64;
  senderId: string;
  recipientId: string; // "" for the whole session.
  counter: U64;
}

export interface SealedChat {
  epoch: U64;
  counter: U64;
  recipientId: string;
  ciphertext: Uint8Array;
  signature: Uint8Array;
}

/** What a receiver holds for one sender; it checks in this order and changes nothing on failure. */
export interface ChatReceiver {
  sessionId: string;
  receiverId: string;
  senderId: string;
  /** null when the sender has no valid announcement in this epoch. */
  senderIdentityPk: Uint8Array | null;
  epoch: U64;
  group: ReceiveChain | null;
  direct: ReceiveChain | null;
}

export function chatAd(c: ChatContext): Uint8Array {
  return new ByteWriter()
    .label(CHAT_LABEL)
    .str(c.sessionId)
    .u64(c.epoch)
    .str(c.senderId)
    .str(c.recipientId)
    .u64(c.counter)
    .take();
}

/** Pads to a multiple of 256 bytes so the length leaks only coarsely. */
export function padText(text: string): Uint8Array {
  const bytes = utf8(text);
  if (bytes.length > MAX_CHAT_TEXT_BYTES) throw new E2eeError("too_long");
  return sodium.pad(bytes, PAD_BLOCK);
}

export function sealChat(text: string, context: ChatContext, keys: MessageKeys, identitySk: Uint8Array): SealedChat {
  const padded = padText(text);
  const ad = chatAd(context);
  const ciphertext = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(padded, ad, null, keys.nonce, keys.messageKey);
  sodium.memzero(padded);
  return {
    epoch: context.epoch,
    counter: context.counter,
    recipientId: context.recipientId,
    ciphertext,
    signature: sign(concatBytes(ad, ciphertext), identitySk),
  };
}

export function openChat(chat: SealedChat, receiver: ChatReceiver): string {
  // 0. the epoch
  const epoch = toU64(chat.epoch);
  const current = toU64(receiver.epoch);
  if (epoch < current) throw new E2eeError("stale_epoch");
  if (epoch > current) throw new E2eeError("no_key");

  // 1. the sender and its signature
  if (receiver.senderIdentityPk === null) throw new E2eeError("unknown_sender");
  const ad = chatAd({
    sessionId: receiver.sessionId,
    epoch,
    senderId: receiver.senderId,
    recipientId: chat.recipientId,
    counter: chat.counter,
  });
  if (!signatureValid(concatBytes(ad, chat.ciphertext), chat.signature, receiver.senderIdentityPk)) {
    throw new E2eeError("bad_signature");
  }

  // 2. the chain (a direct message must be addressed to this receiver)
  let chain = receiver.group;
  if (chat.recipientId !== "") {
    if (chat.recipientId !== receiver.receiverId) throw new E2eeError("wrong_recipient");
    chain = receiver.direct;
  }
  if (chain === null) throw new E2eeError("no_key");

  // 3. the counter (replay, counter_jump)
  const step = chain.stepTo(chat.counter);

  // 4. the AEAD
  if (chat.ciphertext.length < TAG_BYTES) throw new E2eeError("tampered");
  let padded: Uint8Array;
  try {
    padded = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      null,
      chat.ciphertext,
      ad,
      step.keys.nonce,
      step.keys.messageKey,
    );
  } catch {
    throw new E2eeError("tampered");
  }

  // 5. the padding; 6. the length
  let text: Uint8Array;
  try {
    text = sodium.unpad(padded, PAD_BLOCK);
  } catch {
    throw new E2eeError("bad_padding");
  }
  if (text.length > MAX_CHAT_TEXT_BYTES) throw new E2eeError("too_long");

  // Only now does the chain move past this counter.
  chain.commit(step);
  const result = new TextDecoder().decode(text);
  sodium.memzero(padded);
  return result;
}
