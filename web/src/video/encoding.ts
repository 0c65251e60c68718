// How a camera is encoded: the sizes (a person's small tile, the room
// device's wider picture of a room of people), the codec strings, and the
// choice between VP9 with three temporal layers, where the browser encodes
// it, and VP8, which every WebCodecs browser does. With L1T3 a receiver that
// falls behind loses the upper layers first (the server drops them) and
// still sees a smooth picture at a lower rate. Pure (no DOM): the camera
// asks the browser which candidate it encodes.
import { VideoCodec } from "@balint-room/sdk";

export interface VideoSize {
  width: number;
  height: number;
  framerate: number;
  bitrate: number; // bit/s
}

/** A member's tile. */
export const TILE_SIZE: VideoSize = { width: 320, height: 240, framerate: 15, bitrate: 150_000 };
/** The room device: a room of people needs more pixels. */
export const ROOM_SIZE: VideoSize = { width: 640, height: 360, framerate: 15, bitrate: 450_000 };

/** A key frame at least this often, so that a lost request still heals. */
export const KEY_FRAME_EVERY_MS = 5000;

/** The WebCodecs codec string of each codec the SDK carries. */
export const codecString: Record<VideoCodec, string> = {
  [VideoCodec.VP8]: "vp8",
  [VideoCodec.VP9]: "vp09.00.21.08", // Profile 0, level 2.1 (up to 640x360 at 30 fps), 8 bits.
};

/** The part of WebCodecs' VideoEncoderConfig that is set here. */
export interface EncoderConfig {
  codec: string;
  width: number;
  height: number;
  framerate: number;
  bitrate: number;
  latencyMode: "realtime";
  scalabilityMode?: string;
}

export interface EncoderChoice {
  codec: VideoCodec;
  config: EncoderConfig;
}

/** The encoder settings to try, best first, for a camera of this size. */
export function encoderCandidates(size: VideoSize): EncoderChoice[] {
  const base = {
    width: size.width,
    height: size.height,
    framerate: size.framerate,
    bitrate: size.bitrate,
    latencyMode: "realtime" as const,
  };
  return [
    { codec: VideoCodec.VP9, config: { ...base, codec: codecString[VideoCodec.VP9], scalabilityMode: "L1T3" } },
    { codec: VideoCodec.VP8, config: { ...base, codec: codecString[VideoCodec.VP8] } },
  ];
}

/** The encoder's word on layers, in the metadata of each chunk (not in TypeScript's DOM lib yet). */
export type LayerMetadata = { svc?: { temporalLayerId?: number } };

/** The temporal layer an encoded chunk is in (0 without layers); a key frame is always in the base. */
export function temporalLayerOf(keyFrame: boolean, metadata: LayerMetadata | undefined): number {
  if (keyFrame) return 0;
  const layer = metadata?.svc?.temporalLayerId ?? 0;
  return Math.min(Math.max(layer, 0), 2);
}
