// Media frames: no per-frame signature (cost); the per-sender media key and
// a clear header (epoch, counter, flags) bound to the track by the
// associated data. The server may read the header and nothing else: it
// drops a camera's upper temporal layers first and waits for key frames.
import { ByteWriter, type U64, concatBytes, readU64, toU64, u64Bytes } from "./bytes.js";
import { MEDIA_HEADER_BYTES, MEDIA_LABEL, NONCE_BYTES, TAG_BYTES } from "./constants.js";
import { E2eeError } from "./errors.js";
import { sodium } from "./sodium.js";

/** The tracks a sender has (MediaTrack in the protocol). */
export const MICROPHONE_TRACK = 0;
export const CAMERA_TRACK = 1;

/** What the flags byte says of a camera frame; a microphone frame has none. */
export interface FrameFlags {
  keyFrame: boolean;
  /** 0 (the base) to 2; a key frame is in the base. */
  temporalLayer: number;
}

export const NO_FLAGS: FrameFlags = Object.freeze({ keyFrame: false, temporalLayer: 0 });

const KEY_FRAME_BIT = 0x01;
const LAYER_BITS = 0x06;
const TOP_LAYER = 2;

/** Bit 0: key frame; bits 1-2: temporal layer; bits 3-7: zero. */
export function flagsByte(flags: FrameFlags): number {
  return (flags.keyFrame ? KEY_FRAME_BIT : 0) | (flags.temporalLayer << 1);
}

/**
 * The flags of a frame on `track`; null where the byte is not one a sender on
 * that track may write (reserved bits, layer 3, a key frame above the base,
 * any flag on the microphone, an unknown track).
 */
export function readFlags(byte: number, track: number): FrameFlags | null {
  if (track === MICROPHONE_TRACK) return byte === 0 ? NO_FLAGS : null;
  if (track !== CAMERA_TRACK || (byte & ~(KEY_FRAME_BIT | LAYER_BITS)) !== 0) return null;
  const flags = { keyFrame: (byte & KEY_FRAME_BIT) !== 0, temporalLayer: (byte & LAYER_BITS) >> 1 };
  if (flags.temporalLayer > TOP_LAYER || (flags.keyFrame && flags.temporalLayer !== 0)) return null;
  return flags;
}

export interface MediaContext {
  sessionId: string;
  epoch: U64;
  senderId: string;
  track: number;
  counter: U64;
  flags?: FrameFlags;
}

export function mediaAd(c: MediaContext): Uint8Array {
  return new ByteWriter()
    .label(MEDIA_LABEL)
    .str(c.sessionId)
    .u64(c.epoch)
    .str(c.senderId)
    .u64(c.track)
    .u64(c.counter)
    .u8(flagsByte(c.flags ?? NO_FLAGS))
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
  const flags = Uint8Array.of(flagsByte(context.flags ?? NO_FLAGS));
  return concatBytes(u64Bytes(context.epoch), u64Bytes(context.counter), flags, ciphertext);
}

export interface MediaHeader {
  epoch: bigint;
  counter: bigint;
  flags: FrameFlags;
}

/** Null if shorter than header and tag, or its flags are not valid for the track. */
export function readMediaHeader(payload: Uint8Array, track: number): MediaHeader | null {
  if (payload.length < MEDIA_HEADER_BYTES + TAG_BYTES) return null;
  const flags = readFlags(payload[16] as number, track); // The length is checked above.
  if (flags === null) return null;
  return { epoch: readU64(payload, 0), counter: readU64(payload, 8), flags };
}

/**
 * One sender in one epoch: remembers the last counter opened on each track
 * (frames may be lost, so no cap; the microphone may overtake the camera in
 * a receiver's queue, so the tracks are counted apart).
 */
export class MediaReceiver {
  private readonly last: (bigint | null)[] = [null, null];

  constructor(private readonly key: Uint8Array) {}

  open(payload: Uint8Array, sessionId: string, epoch: U64, senderId: string, track: number): Uint8Array {
    const header = readMediaHeader(payload, track);
    if (header === null) throw new E2eeError("malformed");
    const current = toU64(epoch);
    if (header.epoch < current) throw new E2eeError("stale_epoch");
    if (header.epoch > current) throw new E2eeError("no_key");
    const last = this.last[track] ?? null;
    if (last !== null && header.counter <= last) throw new E2eeError("replay");

    const ad = mediaAd({ sessionId, epoch: header.epoch, senderId, track, counter: header.counter, flags: header.flags });
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
    this.last[track] = header.counter;
    return frame;
  }
}
