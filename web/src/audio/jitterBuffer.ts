// JitterBuffer: one remote sender's decoded PCM waiting to be played.
//
// Frames arrive in bursts (network, decoder, main-thread scheduling) while the
// audio thread pulls a steady 128 samples per render quantum. The buffer:
//  - waits until `startSamples` are queued before playing, so ordinary jitter
//    does not starve it immediately;
//  - never holds more than `maxSamples`: when a push goes past that it drops
//    the oldest whole frames until it is back near the start level, so a burst
//    after a stall costs a skip rather than permanent extra latency;
//  - on underrun plays silence for the missing part, counts it, and primes
//    again (waits for `startSamples`) instead of stuttering frame by frame;
//  - optionally trims standing latency: if for a whole `trimWindowSamples` of
//    playback the buffer never fell below startSamples + trimStepSamples, the
//    extra cushion was never needed (it is left over from a burst or from the
//    sender's clock running fast), so it skips trimStepSamples of the oldest
//    audio. Without this, latency would stay wherever a burst left it, up to
//    maxSamples, for the rest of the call.
// Pure TypeScript, no DOM or Web Audio, so it runs in the worklet and in Node.
// Frames are kept by reference (they were transferred to us), never copied in.

export interface JitterBufferOptions {
  /** Samples to queue before playback starts (e.g. 60 ms = 2880 at 48 kHz). */
  startSamples: number;
  /** Most samples ever held (e.g. 200 ms = 9600 at 48 kHz). */
  maxSamples: number;
  /** Playback samples over which the low-water mark is watched (e.g. 1 s); 0 or absent: never trim. */
  trimWindowSamples?: number;
  /** Samples skipped per trim, and the spare cushion that triggers one (e.g. 20 ms = 960). */
  trimStepSamples?: number;
}

export class JitterBuffer {
  private readonly startSamples: number;
  private readonly maxSamples: number;
  private readonly trimWindow: number;
  private readonly trimStep: number;
  private windowRead = 0; // samples played in the current trim window
  private lowWater = Infinity; // fewest samples queued after a read in this window
  private readonly frames: Float32Array[] = [];
  private headOffset = 0; // samples of frames[0] already played
  private queued = 0;
  private playing = false;
  private underrunCount = 0;
  private droppedCount = 0;

  constructor(options: JitterBufferOptions) {
    const { startSamples, maxSamples } = options;
    if (!(startSamples >= 1) || !(maxSamples >= startSamples)) {
      throw new RangeError("need 1 <= startSamples <= maxSamples");
    }
    this.startSamples = startSamples;
    this.maxSamples = maxSamples;
    this.trimWindow = options.trimWindowSamples ?? 0;
    this.trimStep = options.trimStepSamples ?? 0;
  }

  /** Queues one decoded frame; the buffer keeps the array, so do not reuse it. */
  push(frame: Float32Array): void {
    if (frame.length === 0) return;
    this.frames.push(frame);
    this.queued += frame.length;
    if (this.queued > this.maxSamples) this.dropOldest();
    if (!this.playing && this.queued >= this.startSamples) this.playing = true;
  }

  /**
   * Fills `out` with the next samples (overwriting it). Returns how many were
   * real audio; the rest is silence (priming, or an underrun that was counted).
   */
  read(out: Float32Array): number {
    if (!this.playing) {
      out.fill(0);
      return 0;
    }
    let written = 0;
    while (written < out.length && this.frames.length > 0) {
      const head = this.frames[0]!;
      const take = Math.min(out.length - written, head.length - this.headOffset);
      out.set(head.subarray(this.headOffset, this.headOffset + take), written);
      written += take;
      this.headOffset += take;
      this.queued -= take;
      if (this.headOffset === head.length) {
        this.frames.shift();
        this.headOffset = 0;
      }
    }
    if (written < out.length) {
      out.fill(0, written);
      this.underrunCount++;
      this.playing = false; // prime again rather than play crumbs
      this.windowRead = 0;
      this.lowWater = Infinity;
    } else {
      this.watchLatency(out.length);
    }
    return written;
  }

  /** Samples queued now: the latency this buffer adds. */
  get bufferedSamples(): number {
    return this.queued;
  }

  /** True once primed, until the next underrun. */
  get isPlaying(): boolean {
    return this.playing;
  }

  /** Times playback ran dry and silence was inserted. */
  get underruns(): number {
    return this.underrunCount;
  }

  /** Frames thrown away (whole, their unplayed rest, or one trim step) to keep latency bounded. */
  get framesDropped(): number {
    return this.droppedCount;
  }

  private watchLatency(played: number): void {
    if (this.trimWindow <= 0 || this.trimStep <= 0) return;
    this.lowWater = Math.min(this.lowWater, this.queued);
    this.windowRead += played;
    if (this.windowRead < this.trimWindow) return;
    if (this.lowWater - this.startSamples >= this.trimStep) this.skip(this.trimStep);
    this.windowRead = 0;
    this.lowWater = Infinity;
  }

  // Discards the oldest `count` samples (fewer than are queued), as one drop.
  private skip(count: number): void {
    this.queued -= count;
    this.droppedCount++;
    while (count > 0) {
      const head = this.frames[0]!;
      const take = Math.min(count, head.length - this.headOffset);
      this.headOffset += take;
      count -= take;
      if (this.headOffset === head.length) {
        this.frames.shift();
        this.headOffset = 0;
      }
    }
  }

  // Drops from the front, keeping at least startSamples, so that the newest
  // audio survives and playback does not underrun right after the drop.
  private dropOldest(): void {
    while (this.frames.length > 1) {
      const headLeft = this.frames[0]!.length - this.headOffset;
      if (this.queued - headLeft < this.startSamples) break;
      this.frames.shift();
      this.headOffset = 0;
      this.queued -= headLeft;
      this.droppedCount++;
    }
    // A single frame longer than the cap: skip into it instead.
    if (this.queued > this.maxSamples) {
      const skip = this.queued - this.startSamples;
      this.headOffset += skip;
      this.queued -= skip;
      this.droppedCount++;
    }
  }
}
