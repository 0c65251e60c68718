// The microphone's fallback capture, "balint-capture": an AudioWorklet
// processor that collects the (mono) input into frames of `frameSamples` and
// posts each to the main thread, which meters it and feeds the Opus encoder.
// Used where MediaStreamTrackProcessor is missing; AudioWorklet itself works
// in every current browser. Bundled standalone via `?worker&url`, like the mixer.

// AudioWorkletGlobalScope's names are declared in workletScope.d.ts.

export interface CaptureProcessorOptions {
  frameSamples: number;
}

class CaptureProcessor extends AudioWorkletProcessor {
  private readonly frameSamples: number;
  private frame: Float32Array;
  private filled = 0;

  constructor(options: { processorOptions?: unknown }) {
    super(options);
    this.frameSamples = (options.processorOptions as CaptureProcessorOptions).frameSamples;
    this.frame = new Float32Array(this.frameSamples);
  }

  process(inputs: Float32Array[][]): boolean {
    // The node is created with channelCount 1 / "explicit", so the browser has
    // already down-mixed; no channel means no source connected right now.
    const input = inputs[0]?.[0];
    if (input === undefined) return true;
    let offset = 0;
    while (offset < input.length) {
      const take = Math.min(input.length - offset, this.frameSamples - this.filled);
      this.frame.set(input.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
      if (this.filled === this.frameSamples) {
        // Transfer, then start a fresh frame: no copy, no sharing.
        this.port.postMessage(this.frame, [this.frame.buffer]);
        this.frame = new Float32Array(this.frameSamples);
        this.filled = 0;
      }
    }
    return true;
  }
}

registerProcessor("balint-capture", CaptureProcessor);
