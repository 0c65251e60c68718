// LevelMeter: the RMS of the most recent complete window of samples, for a
// microphone meter or a "speaking" indicator. Pure arithmetic (no DOM, no Web
// Audio) so the mixer worklet, the microphone and the Node tests share it.
//
// It reports whole windows rather than a sliding sum: a meter redrawn a few
// times a second cannot show finer detail, and block sums cost nothing per
// sample beyond one multiply-add.

export class LevelMeter {
  private sumSquares = 0;
  private counted = 0;
  private current = 0;

  /** @param windowSamples samples per window, e.g. 4800 for 100 ms at 48 kHz */
  constructor(private readonly windowSamples: number) {
    if (!(windowSamples >= 1)) throw new RangeError("windowSamples must be at least 1");
  }

  /** Adds the first `count` samples of `samples` (all of them by default). */
  push(samples: ArrayLike<number>, count: number = samples.length): void {
    for (let i = 0; i < count; i++) {
      const s = samples[i]!;
      this.sumSquares += s * s;
      if (++this.counted === this.windowSamples) {
        // Full-scale square wave is 1; anything louder was already clipped upstream.
        this.current = Math.min(1, Math.sqrt(this.sumSquares / this.counted));
        this.sumSquares = 0;
        this.counted = 0;
      }
    }
  }

  /** RMS of the last complete window, 0..1; 0 before the first window fills. */
  get level(): number {
    return this.current;
  }

  reset(): void {
    this.sumSquares = 0;
    this.counted = 0;
    this.current = 0;
  }
}
