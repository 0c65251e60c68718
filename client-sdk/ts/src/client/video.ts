// A camera's encoded chunks as the SDK sends and delivers them: the bytes an
// encoder (WebCodecs' VideoEncoder) gave, with what the clear header says of
// them (client-sdk/E2EE.md, "Media frames"). The plaintext of a camera frame
// is u8(codec) || data.

export enum VideoCodec {
  VP8 = 1,
  VP9 = 2,
}

export interface VideoChunk {
  codec: VideoCodec;
  /** Decodable on its own. */
  keyFrame: boolean;
  /** 0 (the base) to 2, as in VP9's L1T3; a key frame is in the base. */
  temporalLayer: number;
  data: Uint8Array;
}

/** A camera chunk as opened, with who sent it. */
export interface VideoFrame extends VideoChunk {
  senderId: string;
}

export function cameraPlaintext(chunk: VideoChunk): Uint8Array {
  const plaintext = new Uint8Array(1 + chunk.data.length);
  plaintext[0] = chunk.codec;
  plaintext.set(chunk.data, 1);
  return plaintext;
}

/** The codec and data of an opened camera frame; null for an empty frame or a codec of no kind. */
export function readCameraPlaintext(plaintext: Uint8Array): { codec: VideoCodec; data: Uint8Array } | null {
  const codec = plaintext[0];
  if (codec !== VideoCodec.VP8 && codec !== VideoCodec.VP9) return null;
  return { codec, data: plaintext.subarray(1) };
}
