// The speaker's AudioWorklet processor, "balint-mixer": it owns the Mixer
// (jitter buffers + mix + soft clip) on the audio thread, takes decoded
// frames from the Speaker over its port, writes the mono mix to every output
// channel, and reports levels and counters about ten times a second.
//
// Loaded with `?worker&url` so Vite bundles it (and the Mixer it imports) into
// one standalone script under assets/: allowed by `script-src 'self'`, no eval.

import { Mixer } from "./mixer.js";
import type { MixerProcessorOptions, MixerReport, ToMixer } from "./messages.js";

// AudioWorkletGlobalScope's names are declared in workletScope.d.ts.

class MixerProcessor extends AudioWorkletProcessor {
  private readonly mixer: Mixer;
  private readonly statsEvery: number;
  private mono = new Float32Array(128);
  private quanta = 0;

  constructor(options: { processorOptions?: unknown }) {
    super(options);
    const o = options.processorOptions as MixerProcessorOptions;
    const samples = (ms: number) => Math.round((ms * sampleRate) / 1000);
    this.mixer = new Mixer({
      startSamples: samples(o.startMs),
      maxSamples: samples(o.maxMs),
      levelWindowSamples: samples(o.levelWindowMs),
      trimWindowSamples: samples(o.trimWindowMs),
      trimStepSamples: samples(o.trimStepMs),
    });
    this.statsEvery = o.statsEveryQuanta;
    this.port.onmessage = (event: MessageEvent<ToMixer>) => {
      const m = event.data;
      if (m.type === "pcm") this.mixer.push(m.senderId, m.pcm);
      else this.mixer.forget(m.senderId);
    };
  }

  process(_inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    const channels = outputs[0];
    const first = channels?.[0];
    if (channels === undefined || first === undefined) return true;
    if (this.mono.length !== first.length) this.mono = new Float32Array(first.length);
    this.mixer.render(this.mono);
    for (const channel of channels) channel.set(this.mono);
    if (++this.quanta >= this.statsEvery) {
      this.quanta = 0;
      this.report();
    }
    return true; // keep running: senders come and go
  }

  private report(): void {
    const senders: MixerReport["senders"] = [];
    for (const id of this.mixer.senders()) {
      senders.push([id, this.mixer.level(id), this.mixer.bufferedSamples(id)]);
    }
    const report: MixerReport = {
      type: "stats",
      senders,
      underruns: this.mixer.underruns,
      framesDropped: this.mixer.framesDropped,
      outputLevel: this.mixer.outputLevel,
    };
    this.port.postMessage(report);
  }
}

registerProcessor("balint-mixer", MixerProcessor);
