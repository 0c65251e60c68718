// The signed announcement a member publishes through the roster.
import { ByteWriter } from "./bytes.js";
import { ANNOUNCE_LABEL, PUBLIC_KEY_BYTES } from "./constants.js";
import { E2eeError } from "./errors.js";
import { type Identity, sign, signatureValid } from "./keys.js";

export interface Announcement {
  identityKey: Uint8Array;
  exchangeKey: Uint8Array;
  signature: Uint8Array;
}

export function announceBytes(
  sessionId: string,
  participantId: string,
  displayName: string,
  identityPk: Uint8Array,
  exchangePk: Uint8Array,
): Uint8Array {
  return new ByteWriter()
    .label(ANNOUNCE_LABEL)
    .str(sessionId)
    .str(participantId)
    .str(displayName)
    .raw(identityPk)
    .raw(exchangePk)
    .take();
}

export function makeAnnouncement(
  identity: Identity,
  sessionId: string,
  participantId: string,
  displayName: string,
): Announcement {
  const identityKey = identity.identity.publicKey;
  const exchangeKey = identity.exchange.publicKey;
  const bytes = announceBytes(sessionId, participantId, displayName, identityKey, exchangeKey);
  return { identityKey, exchangeKey, signature: sign(bytes, identity.identity.secretKey) };
}

/** Throws bad_key for keys that are not 32 bytes, bad_signature otherwise. */
export function checkAnnouncement(
  announcement: Announcement,
  sessionId: string,
  participantId: string,
  displayName: string,
): void {
  const { identityKey, exchangeKey, signature } = announcement;
  if (identityKey.length !== PUBLIC_KEY_BYTES || exchangeKey.length !== PUBLIC_KEY_BYTES) {
    throw new E2eeError("bad_key");
  }
  const bytes = announceBytes(sessionId, participantId, displayName, identityKey, exchangeKey);
  if (!signatureValid(bytes, signature, identityKey)) throw new E2eeError("bad_signature");
}

export function verifyAnnouncement(
  announcement: Announcement,
  sessionId: string,
  participantId: string,
  displayName: string,
): boolean {
  try {
    checkAnnouncement(announcement, sessionId, participantId, displayName);
    return true;
  } catch (error) {
    if (error instanceof E2eeError) return false;
    throw error;
  }
}
