// Microphone: the local member's voice as 20 ms Opus packets, ready for
// client.sendMedia(0, frame). It asks for the microphone with the browser's
// echo cancellation, noise suppression and gain control (members sit in
// ordinary rooms with speakers on), captures mono PCM (see pcmSource.ts) and
// encodes it with WebCodecs at a constant bitrate.
//
// `enabled = false` is the mute button: no packet leaves, but the track keeps
// running so the level meter still moves for a microphone check ("am I
// heard?") without anything being sent.

import { AudioUnavailable, fromGetUserMediaError } from "./errors.js";
import { LevelMeter } from "./level.js";
import { DEFAULT_BITRATE, encoderConfig, requireOpusEncoder, SAMPLE_RATE } from "./opus.js";
import { openPcmSource, type CaptureKind, type PcmSource } from "./pcmSource.js";

// The error the UI catches from open(); re-exported so one import suffices.
export { AudioUnavailable, type AudioUnavailableReason } from "./errors.js";

export interface MicrophoneOptions {
  /** An input from navigator.mediaDevices.enumerateDevices(); default: the system's. */
  deviceId?: string;
  /** Opus bitrate in bit/s; default 24000. */
  bitrate?: number;
  /** How PCM is captured; "auto" (default) prefers MediaStreamTrackProcessor. */
  capture?: "auto" | CaptureKind;
}

/** Past this many blocks waiting in the encoder we drop input rather than fall behind. */
const MAX_ENCODE_QUEUE = 10;
/** Encoder failures in a row, with no packet between, after which we stop trying. */
const MAX_FAILURES = 3;
const LEVEL_WINDOW_SAMPLES = SAMPLE_RATE / 10; // ~100 ms

export class Microphone {
  /** Called once per encoded 20 ms Opus packet while enabled. */
  onFrame: ((frame: Uint8Array) => void) | null = null;
  /** Called if capture stops by itself (device unplugged, permission revoked) or encoding fails. */
  onError: ((error: Error) => void) | null = null;

  private source: PcmSource | null = null;
  private encoder: AudioEncoder | null = null;
  private encoderRate = 0; // the input rate the encoder is configured for; 0: not configured
  private readonly meter = new LevelMeter(LEVEL_WINDOW_SAMPLES);
  private isEnabled = true;
  private closed = false;
  private failures = 0;

  private constructor(
    private readonly track: MediaStreamTrack,
    private readonly bitrate: number,
  ) {}

  /**
   * Asks for the microphone and starts encoding. Rejects with AudioUnavailable
   * ("no-permission", "no-device", "in-use", "unsupported"). Call it from a
   * user gesture: the fallback capture path needs a running AudioContext.
   */
  static async open(options: MicrophoneOptions = {}): Promise<Microphone> {
    const bitrate = options.bitrate ?? DEFAULT_BITRATE;
    // Check the codec first: no point asking for permission we cannot use.
    if (typeof navigator === "undefined" || navigator.mediaDevices?.getUserMedia === undefined) {
      throw new AudioUnavailable("unsupported"); // also what an insecure (http:) page sees
    }
    await requireOpusEncoder(bitrate);

    const audio: MediaTrackConstraints = {
      echoCancellation: true,
      noiseSuppression: true,
      autoGainControl: true,
      channelCount: 1,
    };
    if (options.deviceId !== undefined) audio.deviceId = { exact: options.deviceId };
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio });
    } catch (error) {
      throw fromGetUserMediaError(error);
    }
    const track = stream.getAudioTracks()[0];
    if (track === undefined) {
      for (const t of stream.getTracks()) t.stop();
      throw new AudioUnavailable("no-device");
    }

    const mic = new Microphone(track, bitrate);
    try {
      await mic.start(options.capture ?? "auto");
    } catch (error) {
      mic.close();
      throw error;
    }
    return mic;
  }

  /** False: no frames are produced (muted); the level meter keeps working. */
  get enabled(): boolean {
    return this.isEnabled;
  }

  set enabled(value: boolean) {
    if (value === this.isEnabled) return;
    this.isEnabled = value;
    // Drop what the encoder still holds, so no packet of audio captured
    // before the mute can come out after it, nor a stale tail after unmute.
    if (!value) this.dropEncoder();
  }

  /** RMS of the last ~100 ms of input, 0..1 (a normal voice is around 0.02 to 0.2). */
  get level(): number {
    return this.meter.level;
  }

  /** The device's name as the browser gives it (e.g. "Built-in Microphone"). */
  get label(): string {
    return this.track.label;
  }

  /** The device actually in use, for a device picker. */
  get deviceId(): string {
    return this.track.getSettings().deviceId ?? "";
  }

  /** Which capture path is running. */
  get capture(): CaptureKind | null {
    return this.source?.kind ?? null;
  }

  /** Stops the microphone (the browser's indicator goes off) and frees the encoder. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onFrame = null;
    this.source?.close();
    this.source = null;
    this.track.stop();
    this.dropEncoder();
  }

  private async start(prefer: "auto" | CaptureKind): Promise<void> {
    this.track.addEventListener("ended", () => {
      if (this.closed) return;
      this.onError?.(new AudioUnavailable("no-device", "The microphone stopped: it was unplugged or access was withdrawn."));
    });
    this.source = await openPcmSource(
      this.track,
      (audio, samples) => this.take(audio, samples),
      (error) => this.fail(error),
      prefer,
    );
    if (this.closed) this.source.close(); // close() ran while we were starting
  }

  // One captured block: always metered, encoded only while enabled.
  private take(audio: AudioData, samples: Float32Array): void {
    this.meter.push(samples);
    if (!this.isEnabled || this.closed || this.failures >= MAX_FAILURES) return;
    const encoder = this.encoderFor(audio.sampleRate);
    if (encoder.encodeQueueSize > MAX_ENCODE_QUEUE) return;
    encoder.encode(audio);
  }

  // The encoder rejects input whose rate differs from its configuration, and
  // devices differ (44.1 kHz is common), so configure for what arrives.
  private encoderFor(sampleRate: number): AudioEncoder {
    if (this.encoder === null || this.encoder.state === "closed") {
      this.encoder = new AudioEncoder({
        output: (chunk) => this.emit(chunk),
        error: (error) => this.fail(error),
      });
      this.encoderRate = 0;
    }
    if (this.encoderRate !== sampleRate) {
      this.encoder.configure(encoderConfig(sampleRate, this.bitrate));
      this.encoderRate = sampleRate;
    }
    return this.encoder;
  }

  private emit(chunk: EncodedAudioChunk): void {
    if (!this.isEnabled || this.closed) return;
    this.failures = 0;
    const frame = new Uint8Array(chunk.byteLength);
    chunk.copyTo(frame);
    this.onFrame?.(frame);
  }

  private dropEncoder(): void {
    if (this.encoder !== null && this.encoder.state !== "closed") this.encoder.close();
    this.encoder = null;
    this.encoderRate = 0;
  }

  // A fresh encoder is made for the next block, unless it keeps failing (then
  // the input is one this browser cannot encode, and retrying would only spam).
  private fail(error: unknown): void {
    if (this.closed) return;
    this.dropEncoder();
    this.failures++;
    this.onError?.(error instanceof Error ? error : new Error(String(error)));
  }
}
