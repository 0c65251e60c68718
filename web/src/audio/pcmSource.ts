// Capturing a microphone track as blocks of mono PCM, two ways:
//  - "track-processor": MediaStreamTrackProcessor hands over the browser's own
//    AudioData (no extra AudioContext, no copy for mono input). Chromium only.
//  - "worklet": an AudioContext at 48 kHz plays the track into the
//    "balint-capture" AudioWorklet, which posts 960-sample (20 ms) blocks.
//    Slower path, but it works wherever AudioWorklet does.
// Either way the sink gets each block once as AudioData (for the encoder) and
// as the Float32 samples of channel 0 (for the meter); the block is closed
// right after the sink returns, so the sink must not keep it.

import captureWorkletUrl from "./captureWorklet.ts?worker&url";
import type { CaptureProcessorOptions } from "./captureWorklet.js";
import { AudioUnavailable } from "./errors.js";
import { FRAME_SAMPLES, SAMPLE_RATE } from "./opus.js";

export type CaptureKind = "track-processor" | "worklet";
export type PcmSink = (audio: AudioData, samples: Float32Array) => void;

export interface PcmSource {
  readonly kind: CaptureKind;
  close(): void;
}

// Not in TypeScript's DOM lib yet; only the part used here.
type TrackProcessorCtor = new (init: { track: MediaStreamTrack }) => { readable: ReadableStream<AudioData> };

function trackProcessor(): TrackProcessorCtor | undefined {
  return (globalThis as { MediaStreamTrackProcessor?: TrackProcessorCtor }).MediaStreamTrackProcessor;
}

/**
 * Starts capturing `track`. `prefer` "auto" takes the track processor when the
 * browser has one. `onError` is told if capture fails after it started.
 */
export async function openPcmSource(
  track: MediaStreamTrack,
  sink: PcmSink,
  onError: (error: unknown) => void,
  prefer: "auto" | CaptureKind = "auto",
): Promise<PcmSource> {
  const Processor = trackProcessor();
  if (prefer === "track-processor" && Processor === undefined) throw new AudioUnavailable("unsupported");
  if (prefer !== "worklet" && Processor !== undefined) return fromTrackProcessor(Processor, track, sink, onError);
  return fromWorklet(track, sink);
}

function fromTrackProcessor(
  Processor: TrackProcessorCtor,
  track: MediaStreamTrack,
  sink: PcmSink,
  onError: (error: unknown) => void,
): PcmSource {
  const reader = new Processor({ track }).readable.getReader();
  let samples = new Float32Array(0);
  let closed = false;

  const pump = async () => {
    for (;;) {
      const { value: audio, done } = await reader.read();
      if (done) return;
      try {
        if (samples.length !== audio.numberOfFrames) samples = new Float32Array(audio.numberOfFrames);
        audio.copyTo(samples, { planeIndex: 0, format: "f32-planar" });
        if (audio.numberOfChannels === 1) {
          sink(audio, samples);
        } else {
          // The encoder is mono and rejects anything else; keep channel 0.
          const mono = new AudioData({
            format: "f32-planar",
            sampleRate: audio.sampleRate,
            numberOfChannels: 1,
            numberOfFrames: audio.numberOfFrames,
            timestamp: audio.timestamp,
            data: samples,
          });
          try {
            sink(mono, samples);
          } finally {
            mono.close();
          }
        }
      } finally {
        audio.close();
      }
    }
  };
  pump().catch((error: unknown) => {
    if (!closed) onError(error);
  });

  return {
    kind: "track-processor",
    close() {
      closed = true;
      reader.cancel().catch(() => {});
    },
  };
}

async function fromWorklet(track: MediaStreamTrack, sink: PcmSink): Promise<PcmSource> {
  if (typeof AudioWorkletNode !== "function") throw new AudioUnavailable("unsupported");
  const context = new AudioContext({ sampleRate: SAMPLE_RATE, latencyHint: "interactive" });
  try {
    await context.audioWorklet.addModule(captureWorkletUrl);
  } catch (cause) {
    await context.close();
    throw new AudioUnavailable("unsupported", "The audio capture module could not be loaded.", { cause });
  }
  const source = context.createMediaStreamSource(new MediaStream([track]));
  const processorOptions: CaptureProcessorOptions = { frameSamples: FRAME_SAMPLES };
  const node = new AudioWorkletNode(context, "balint-capture", {
    numberOfInputs: 1,
    numberOfOutputs: 0, // a sink: the browser still runs it without a path to the speakers
    channelCount: 1,
    channelCountMode: "explicit",
    channelInterpretation: "speakers", // down-mix a stereo device to mono
    processorOptions,
  });
  let captured = 0; // samples so far, for the encoder's timestamps
  node.port.onmessage = (event: MessageEvent<Float32Array<ArrayBuffer>>) => {
    const samples = event.data;
    const audio = new AudioData({
      format: "f32-planar",
      sampleRate: context.sampleRate,
      numberOfChannels: 1,
      numberOfFrames: samples.length,
      timestamp: Math.round((captured * 1_000_000) / context.sampleRate),
      data: samples,
    });
    captured += samples.length;
    try {
      sink(audio, samples);
    } finally {
      audio.close();
    }
  };
  source.connect(node);
  // Suspended until a user gesture in most browsers: open the Microphone from
  // a click. Not awaited, since without a gesture the promise may never settle.
  context.resume().catch(() => {});

  return {
    kind: "worklet",
    close() {
      node.port.onmessage = null;
      source.disconnect();
      node.disconnect();
      context.close().catch(() => {});
    },
  };
}
