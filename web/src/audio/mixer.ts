// Mixer: every remote sender's JitterBuffer summed into one mono signal with a
// soft clip, plus the per-sender and output levels the UI shows. Pure
// TypeScript (no DOM, no Web Audio): the mixer worklet drives it once per
// render quantum and the Node tests drive it directly.

import { JitterBuffer, type JitterBufferOptions } from "./jitterBuffer.js";
import { LevelMeter } from "./level.js";

/** Each sender's buffer gets the JitterBuffer options (start, max, trim). */
export interface MixerOptions extends JitterBufferOptions {
  /** Samples per level window (e.g. 4800 = 100 ms at 48 kHz). */
  levelWindowSamples: number;
}

// Below the knee the mix is exactly the sum, so one or two normal voices are
// untouched; above it tanh bends the curve smoothly towards, never past, 1.
// At the knee value and slope are continuous (both curves have slope 1).
const KNEE = 0.5;
const HEADROOM = 1 - KNEE;

export function softClip(x: number): number {
  const magnitude = Math.abs(x);
  if (magnitude <= KNEE) return x;
  const bent = KNEE + HEADROOM * Math.tanh((magnitude - KNEE) / HEADROOM);
  return x < 0 ? -bent : bent;
}

interface Voice {
  buffer: JitterBuffer;
  meter: LevelMeter;
}

export class Mixer {
  private readonly voices = new Map<string, Voice>();
  private readonly output: LevelMeter;
  private scratch = new Float32Array(128);
  // Counts of senders already forgotten, so the totals never go backwards.
  private pastUnderruns = 0;
  private pastDropped = 0;

  constructor(private readonly options: MixerOptions) {
    this.output = new LevelMeter(options.levelWindowSamples);
  }

  /** Queues a decoded frame from `senderId`, creating its buffer on first use. */
  push(senderId: string, frame: Float32Array): void {
    let voice = this.voices.get(senderId);
    if (voice === undefined) {
      voice = {
        buffer: new JitterBuffer(this.options), // takes only its own fields
        meter: new LevelMeter(this.options.levelWindowSamples),
      };
      this.voices.set(senderId, voice);
    }
    voice.buffer.push(frame);
  }

  /** Discards a sender's buffer (it left or went quiet for long). */
  forget(senderId: string): void {
    const voice = this.voices.get(senderId);
    if (voice === undefined) return;
    this.pastUnderruns += voice.buffer.underruns;
    this.pastDropped += voice.buffer.framesDropped;
    this.voices.delete(senderId);
  }

  /** Overwrites `out` with the next block of the soft-clipped mono mix. */
  render(out: Float32Array): void {
    out.fill(0);
    if (this.scratch.length !== out.length) this.scratch = new Float32Array(out.length);
    const scratch = this.scratch;
    for (const voice of this.voices.values()) {
      voice.buffer.read(scratch);
      voice.meter.push(scratch);
      for (let i = 0; i < out.length; i++) out[i]! += scratch[i]!;
    }
    for (let i = 0; i < out.length; i++) out[i] = softClip(out[i]!);
    this.output.push(out);
  }

  /** The sender's level as played (0..1); 0 for an unknown sender. */
  level(senderId: string): number {
    return this.voices.get(senderId)?.meter.level ?? 0;
  }

  /** Samples queued for the sender now; 0 for an unknown sender. */
  bufferedSamples(senderId: string): number {
    return this.voices.get(senderId)?.buffer.bufferedSamples ?? 0;
  }

  senders(): IterableIterator<string> {
    return this.voices.keys();
  }

  /** Level of the mixed output (0..1). */
  get outputLevel(): number {
    return this.output.level;
  }

  get underruns(): number {
    let n = this.pastUnderruns;
    for (const voice of this.voices.values()) n += voice.buffer.underruns;
    return n;
  }

  get framesDropped(): number {
    let n = this.pastDropped;
    for (const voice of this.voices.values()) n += voice.buffer.framesDropped;
    return n;
  }
}
