// A code both screens can compare aloud: 40 digits from a hash of the
// sorted membership, so a forged roster needs a 133-bit collision.
import { ByteWriter, compareBytes, utf8 } from "./bytes.js";
import { PUBLIC_KEY_BYTES, SECURITY_CODE_LABEL } from "./constants.js";
import { sodium } from "./sodium.js";

export interface CodeEntry {
  participantId: string;
  identityKey: Uint8Array;
  exchangeKey: Uint8Array;
}

const DIGEST_BYTES = 64;
const GROUPS = 8;
const GROUP_BYTES = 5; // a 40-bit number per group, exact in a double.

// Ties on identity key are broken too, so the order never depends on the input order.
function byKeys(a: CodeEntry, b: CodeEntry): number {
  return (
    compareBytes(a.identityKey, b.identityKey) ||
    compareBytes(utf8(a.participantId), utf8(b.participantId)) ||
    compareBytes(a.exchangeKey, b.exchangeKey)
  );
}

/** The order the digest takes the members in: by identity key, then participant id. */
export function sortCodeEntries(entries: readonly CodeEntry[]): CodeEntry[] {
  return [...entries].sort(byKeys);
}

export function securityCodeDigest(sessionId: string, entries: readonly CodeEntry[]): Uint8Array {
  for (const e of entries) {
    if (e.identityKey.length !== PUBLIC_KEY_BYTES || e.exchangeKey.length !== PUBLIC_KEY_BYTES) {
      throw new RangeError("security code entry with a key that is not 32 bytes");
    }
  }
  const sorted = sortCodeEntries(entries);
  const input = new ByteWriter().label(SECURITY_CODE_LABEL).str(sessionId).u64(sorted.length);
  for (const e of sorted) input.str(e.participantId).raw(e.identityKey).raw(e.exchangeKey);
  return sodium.crypto_generichash(DIGEST_BYTES, input.take(), null);
}

export function securityCode(sessionId: string, entries: readonly CodeEntry[]): string {
  const digest = securityCodeDigest(sessionId, entries);
  const groups: string[] = [];
  for (let g = 0; g < GROUPS; g++) {
    let n = 0;
    for (let i = 0; i < GROUP_BYTES; i++) n = n * 256 + (digest[g * GROUP_BYTES + i] as number);
    groups.push(String(n % 100000).padStart(5, "0"));
  }
  return groups.join(" ");
}
