// The audio format both ends agree on: Opus, mono, 20 ms packets, decoded at
// 48 kHz. Kept in one place so the Microphone and the Speaker cannot drift.

import { AudioUnavailable } from "./errors.js";

export const SAMPLE_RATE = 48_000;
export const FRAME_MICROSECONDS = 20_000;
/** Samples in one 20 ms frame at 48 kHz. */
export const FRAME_SAMPLES = (SAMPLE_RATE * FRAME_MICROSECONDS) / 1_000_000;
export const DEFAULT_BITRATE = 24_000;

/** Encoder settings for input at `sampleRate` (the codec resamples to 48 kHz itself). */
export function encoderConfig(sampleRate: number, bitrate: number): AudioEncoderConfig {
  return {
    codec: "opus",
    sampleRate,
    numberOfChannels: 1,
    bitrate,
    // Constant bitrate: packet sizes then say nothing about what is being said.
    bitrateMode: "constant",
    // No DTX: a steady 50 packets/s lets the receiver tell silence from loss.
    opus: { frameDuration: FRAME_MICROSECONDS, usedtx: false },
  };
}

export const DECODER_CONFIG: AudioDecoderConfig = {
  codec: "opus",
  sampleRate: SAMPLE_RATE,
  numberOfChannels: 1,
};

/** Throws AudioUnavailable("unsupported") unless this browser can encode our Opus. */
export async function requireOpusEncoder(bitrate: number): Promise<void> {
  if (typeof AudioEncoder !== "function") throw new AudioUnavailable("unsupported");
  const { supported } = await AudioEncoder.isConfigSupported(encoderConfig(SAMPLE_RATE, bitrate)).catch(
    () => ({ supported: false }),
  );
  if (supported !== true) throw new AudioUnavailable("unsupported");
}

/** Throws AudioUnavailable("unsupported") unless this browser can decode our Opus. */
export async function requireOpusDecoder(): Promise<void> {
  if (typeof AudioDecoder !== "function") throw new AudioUnavailable("unsupported");
  const { supported } = await AudioDecoder.isConfigSupported(DECODER_CONFIG).catch(() => ({ supported: false }));
  if (supported !== true) throw new AudioUnavailable("unsupported");
}
