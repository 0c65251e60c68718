// Media frames: no per-frame signature (cost); the per-sender media key
// and a counter in the header, bound to the track by the associated data.
import { ByteWriter, type U64, concatBytes, readU64, toU64, u64Bytes } from "./bytes.js";
import { MEDIA_HEADER_BYTES, MEDIA_LABEL, NONCE_BYTES, TAG_BYTES } from "./constants.js";
import { E2eeError } from "./errors.js";
import { sodium } from "./sodium.js";

export interface MediaContext {
  sessionId: string;
  epoch: U64;
  senderId: string;
  track: U64;
  counter: U64;
}

export function mediaAd(c: MediaContext): Uint8Array {
  return new ByteWriter()
    .label(MEDIA_LABEL)
    .str(c.sessionId)
    .u64(c.epoch)
    .str(c.senderId)
    .u64(c.track)
    .u64(c.counter)
    .take();
}

/** The counter is unique per (key, frame), so it can be the nonce. */
export function mediaNonce(counter: U64): Uint8Array {
  const nonce = new Uint8Array(NONCE_BYTES);
  nonce.set(u64Bytes(counter));
  return nonce;
}

export function sealMediaFrame(frame: Uint8Array, context: MediaContext, mediaKey: Uint8Array): Uint8Array {
  const ciphertext = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
    frame,
    mediaAd(context),
    null,
    mediaNonce(context.counter),
    mediaKey,
  );
  return concatBytes(u64Bytes(context.epoch), u64Bytes(context.counter), ciphertext);
}

export interface MediaHeader {
  epoch: bigint;
  counter: bigint;
}

export function readMediaHeader(payload: Uint8Array): MediaHeader | null {
  if (payload.length < MEDIA_HEADER_BYTES + TAG_BYTES) return null;
  return { epoch: readU64(payload, 0), counter: readU64(payload, 8) };
}

/** One sender in one epoch: remembers the last counter opened (frames may be lost, so no cap). */
export class MediaReceiver {
  private last: bigint | null = null;

  constructor(private readonly key: Uint8Array) {}

  open(payload: Uint8Array, sessionId: string, epoch: U64, senderId: string, track: U64): Uint8Array {
    const header = readMediaHeader(payload);
    if (header === null) throw new E2eeError("malformed");
    const current = toU64(epoch);
    if (header.epoch < current) throw new E2eeError("stale_epoch");
    if (header.epoch > current) throw new E2eeError("no_key");
    if (this.last !== null && header.counter <= this.last) throw new E2eeError("replay");

    const ad = mediaAd({ sessionId, epoch: header.epoch, senderId, track, counter: header.counter });
    let frame: Uint8Array;
    try {
      frame = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
        null,
        payload.subarray(MEDIA_HEADER_BYTES),
        ad,
        mediaNonce(header.counter),
        this.key,
      );
    } catch {
      throw new E2eeError("tampered");
    }
    this.last = header.counter;
    return frame;
  }
}
