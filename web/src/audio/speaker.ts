// Speaker: plays every remote member's Opus packets (from client.on("media"))
// through one AudioContext. Each sender gets its own AudioDecoder (Opus keeps
// state between packets, so streams must not share one); decoded PCM goes to
// the "balint-mixer" worklet, which buffers, mixes and plays it (see
// mixer.ts and jitterBuffer.ts for the buffering rules) and reports levels
// back. Senders not heard for a while are forgotten so that a member who left
// does not keep a decoder.

import mixerWorkletUrl from "./mixerWorklet.ts?worker&url";
import { AudioUnavailable } from "./errors.js";
import type { MixerProcessorOptions, MixerReport, ToMixer } from "./messages.js";
import { DECODER_CONFIG, FRAME_MICROSECONDS, requireOpusDecoder, SAMPLE_RATE } from "./opus.js";

export interface SpeakerOptions {
  /** Audio buffered per sender before it starts playing; default 60 ms. */
  startMs?: number;
  /** Most audio buffered per sender (older audio is dropped); default 200 ms. */
  maxMs?: number;
  /** A sender silent this long is forgotten and its decoder closed; default 2000 ms. */
  forgetAfterMs?: number;
}

export interface SpeakerStats {
  /** Opus packets decoded. */
  framesDecoded: number;
  /** Packets lost here: undecodable, decoder backlog, or dropped to bound latency. */
  framesDropped: number;
  /** Times a sender's buffer ran dry and silence was played (also once when someone stops talking). */
  underruns: number;
}

interface Voice {
  decoder: AudioDecoder;
  lastHeard: number;
  timestamp: number; // microseconds; the decoder wants increasing ones
}

/**
 * Packets waiting in one decoder past which new ones are dropped: only a guard
 * against a stuck decoder. A network burst is decoded in full (Opus decodes in
 * microseconds) so that the jitter buffer can drop the oldest audio, not the newest.
 */
const MAX_DECODE_QUEUE = 50;

export class Speaker {
  private readonly voices = new Map<string, Voice>();
  private report: MixerReport = { type: "stats", senders: [], underruns: 0, framesDropped: 0, outputLevel: 0 };
  private readonly levels = new Map<string, [number, number]>(); // senderId -> [level, buffered samples]
  private decoded = 0;
  private droppedHere = 0;
  private readonly sweep: ReturnType<typeof setInterval>;
  private closed = false;

  private constructor(
    private readonly context: AudioContext,
    private readonly node: AudioWorkletNode,
    private readonly forgetAfterMs: number,
  ) {
    node.port.onmessage = (event: MessageEvent<MixerReport>) => {
      this.report = event.data;
      this.levels.clear();
      for (const [id, level, buffered] of event.data.senders) this.levels.set(id, [level, buffered]);
    };
    this.sweep = setInterval(() => this.forgetSilent(), Math.max(100, forgetAfterMs / 4));
  }

  /**
   * Creates the audio output. Rejects with AudioUnavailable("unsupported")
   * without WebCodecs Opus or AudioWorklet. The context may start suspended:
   * call resume() from a click.
   */
  static async open(options: SpeakerOptions = {}): Promise<Speaker> {
    if (typeof AudioContext !== "function" || typeof AudioWorkletNode !== "function") {
      throw new AudioUnavailable("unsupported");
    }
    await requireOpusDecoder();
    const context = new AudioContext({ sampleRate: SAMPLE_RATE, latencyHint: "interactive" });
    try {
      // Decoded Opus is 48 kHz; a context at another rate would change pitch.
      if (context.sampleRate !== SAMPLE_RATE) throw new AudioUnavailable("unsupported");
      try {
        await context.audioWorklet.addModule(mixerWorkletUrl);
      } catch (cause) {
        throw new AudioUnavailable("unsupported", "The audio playback module could not be loaded.", { cause });
      }
      const processorOptions: MixerProcessorOptions = {
        startMs: options.startMs ?? 60,
        maxMs: options.maxMs ?? 200,
        levelWindowMs: 100,
        // A cushion unused for a whole second is shed 20 ms at a time.
        trimWindowMs: 1000,
        trimStepMs: 20,
        statsEveryQuanta: 40, // ~107 ms at 128 samples per quantum
      };
      const node = new AudioWorkletNode(context, "balint-mixer", {
        numberOfInputs: 0,
        numberOfOutputs: 1,
        outputChannelCount: [2], // the mono mix on both channels
        processorOptions,
      });
      node.connect(context.destination);
      return new Speaker(context, node, options.forgetAfterMs ?? 2000);
    } catch (error) {
      await context.close().catch(() => {});
      throw error;
    }
  }

  /** Decodes and queues one Opus packet from `senderId`. */
  push(senderId: string, frame: Uint8Array): void {
    if (this.closed) return;
    const voice = this.voiceFor(senderId);
    voice.lastHeard = performance.now();
    if (voice.decoder.decodeQueueSize > MAX_DECODE_QUEUE) {
      this.droppedHere++;
      return;
    }
    const chunk = new EncodedAudioChunk({ type: "key", timestamp: voice.timestamp, data: frame });
    voice.timestamp += FRAME_MICROSECONDS;
    voice.decoder.decode(chunk);
  }

  /** How loud the sender is playing now, 0..1 (updated ~10 times a second). */
  level(senderId: string): number {
    return this.levels.get(senderId)?.[0] ?? 0;
  }

  /** Milliseconds of audio buffered for the sender: the latency the jitter buffer adds. */
  bufferedMs(senderId: string): number {
    return ((this.levels.get(senderId)?.[1] ?? 0) * 1000) / this.context.sampleRate;
  }

  /** RMS of the mixed output, 0..1: a check that something is audible. */
  get outputLevel(): number {
    return this.report.outputLevel;
  }

  get stats(): SpeakerStats {
    return {
      framesDecoded: this.decoded,
      framesDropped: this.droppedHere + this.report.framesDropped,
      underruns: this.report.underruns,
    };
  }

  /** "suspended" until resume() has run from a user gesture. */
  get state(): AudioContextState {
    return this.context.state;
  }

  /** Starts playback; browsers allow it only from a user gesture (a click). */
  async resume(): Promise<void> {
    if (this.context.state === "suspended") await this.context.resume();
  }

  /** Stops playback and frees every decoder and the AudioContext. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweep);
    for (const voice of this.voices.values()) closeDecoder(voice.decoder);
    this.voices.clear();
    this.node.port.onmessage = null;
    this.node.disconnect();
    await this.context.close().catch(() => {});
  }

  private voiceFor(senderId: string): Voice {
    const existing = this.voices.get(senderId);
    // A decoder that hit an error is closed by the browser; start a new one.
    if (existing !== undefined && existing.decoder.state !== "closed") return existing;
    const voice: Voice = { decoder: null as unknown as AudioDecoder, lastHeard: 0, timestamp: 0 };
    voice.decoder = new AudioDecoder({
      output: (audio) => this.decodedFrame(senderId, voice, audio),
      error: () => {
        this.droppedHere++;
      },
    });
    voice.decoder.configure(DECODER_CONFIG);
    this.voices.set(senderId, voice);
    return voice;
  }

  private decodedFrame(senderId: string, voice: Voice, audio: AudioData): void {
    try {
      // Output from a decoder we already replaced or forgot is not played.
      if (this.closed || this.voices.get(senderId) !== voice) return;
      const pcm = new Float32Array(audio.numberOfFrames);
      audio.copyTo(pcm, { planeIndex: 0, format: "f32-planar" });
      this.decoded++;
      const message: ToMixer = { type: "pcm", senderId, pcm };
      this.node.port.postMessage(message, [pcm.buffer]);
    } finally {
      audio.close();
    }
  }

  private forgetSilent(): void {
    const now = performance.now();
    for (const [senderId, voice] of this.voices) {
      if (now - voice.lastHeard < this.forgetAfterMs) continue;
      closeDecoder(voice.decoder);
      this.voices.delete(senderId);
      this.levels.delete(senderId);
      const message: ToMixer = { type: "forget", senderId };
      this.node.port.postMessage(message);
    }
  }
}

function closeDecoder(decoder: AudioDecoder): void {
  if (decoder.state !== "closed") decoder.close();
}
