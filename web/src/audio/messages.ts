// The messages between Speaker (main thread) and its mixer worklet (audio
// thread). Types only: both sides import them, nothing here runs.

/** Options the worklet is constructed with (AudioWorkletNodeOptions.processorOptions). */
export interface MixerProcessorOptions {
  startMs: number;
  maxMs: number;
  levelWindowMs: number;
  /** Standing-latency trim (see jitterBuffer.ts): watch window and step. */
  trimWindowMs: number;
  trimStepMs: number;
  /** Render quanta between two stats reports. */
  statsEveryQuanta: number;
}

export type ToMixer =
  /** One decoded frame; its buffer is transferred. */
  | { type: "pcm"; senderId: string; pcm: Float32Array }
  | { type: "forget"; senderId: string };

/** Sent by the worklet every statsEveryQuanta render quanta. */
export interface MixerReport {
  type: "stats";
  /** [senderId, level 0..1, samples buffered] for each known sender. */
  senders: Array<[string, number, number]>;
  underruns: number;
  framesDropped: number;
  outputLevel: number;
}
