import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { JitterBuffer } from "../../src/audio/jitterBuffer.js";
import { constant, FRAME, QUANTUM, ramp } from "./helpers.js";

const START = 2880; // 60 ms at 48 kHz
const MAX = 9600; // 200 ms

function buffer(): JitterBuffer {
  return new JitterBuffer({ startSamples: START, maxSamples: MAX });
}

describe("JitterBuffer startup", () => {
  test("plays silence, without counting underruns, until 60 ms is queued", () => {
    const jb = buffer();
    const out = new Float32Array(QUANTUM).fill(7);
    jb.push(constant(0.5));
    jb.push(constant(0.5));
    assert.equal(jb.read(out), 0);
    assert.ok(out.every((s) => s === 0), "priming output is silence");
    assert.equal(jb.isPlaying, false);
    assert.equal(jb.underruns, 0);
    assert.equal(jb.bufferedSamples, 2 * FRAME, "reading while priming consumes nothing");

    jb.push(constant(0.5)); // 2880 samples: the threshold
    assert.equal(jb.isPlaying, true);
    assert.equal(jb.read(out), QUANTUM);
    assert.ok(out.every((s) => s === 0.5));
    assert.equal(jb.bufferedSamples, 3 * FRAME - QUANTUM);
  });

  test("plays samples in order across frame boundaries", () => {
    const jb = buffer();
    for (let f = 0; f < 3; f++) jb.push(ramp(f * FRAME));
    const out = new Float32Array(1000); // spans frames 0 and 1
    assert.equal(jb.read(out), 1000);
    for (let i = 0; i < 1000; i++) assert.equal(out[i], Math.fround(i * 1e-4));
  });
});

describe("JitterBuffer latency bound", () => {
  test("a burst past 200 ms drops the oldest frames and keeps the newest", () => {
    const jb = buffer();
    for (let f = 0; f < 20; f++) jb.push(constant(f / 100)); // 400 ms at once
    assert.ok(jb.bufferedSamples <= MAX, `buffered ${jb.bufferedSamples} > ${MAX}`);
    assert.ok(jb.bufferedSamples >= START, "never drops below the start level");
    const kept = jb.bufferedSamples / FRAME;
    assert.equal(jb.framesDropped, 20 - kept);
    // What is left is the last `kept` frames, oldest first.
    const out = new Float32Array(FRAME);
    for (let f = 20 - kept; f < 20; f++) {
      jb.read(out);
      assert.ok(out.every((s) => s === Math.fround(f / 100)), `frame ${f} expected next`);
    }
    assert.equal(jb.underruns, 0);
  });

  test("bursty arrival in real time never buffers more than 200 ms", () => {
    const jb = buffer();
    const out = new Float32Array(QUANTUM);
    let pushed = 0;
    let peak = 0;
    // 10 s of playback; the sender's frames arrive 10 at a time every 200 ms,
    // plus one stall of 600 ms followed by everything it held back.
    for (let t = 0; t < 48_000 * 10; t += QUANTUM) {
      const due = Math.floor(t / 9600) * 10; // frames sent by now, in bursts
      const stalled = t >= 96_000 && t < 124_800;
      while (!stalled && pushed < due) {
        jb.push(constant(0.1));
        pushed++;
        peak = Math.max(peak, jb.bufferedSamples);
      }
      jb.read(out);
    }
    assert.ok(peak <= MAX, `peak ${peak} samples`);
    assert.ok(jb.framesDropped > 0, "the stall's backlog was dropped, not queued");
  });

  test("one frame longer than the cap is cut down to the start level", () => {
    const jb = buffer();
    jb.push(ramp(0, 12_000));
    assert.equal(jb.bufferedSamples, START);
    assert.equal(jb.framesDropped, 1);
    const out = new Float32Array(1);
    jb.read(out);
    assert.equal(out[0], Math.fround((12_000 - START) * 1e-4), "the newest samples are kept");
  });
});

describe("JitterBuffer underrun", () => {
  test("fills the gap with silence, counts it once, and primes again", () => {
    const jb = buffer();
    for (let f = 0; f < 3; f++) jb.push(constant(0.25)); // exactly 2880
    const out = new Float32Array(QUANTUM);
    for (let q = 0; q < 22; q++) assert.equal(jb.read(out), QUANTUM); // 2816 samples
    assert.equal(jb.read(out), 64, "64 samples were left");
    assert.ok(out.subarray(0, 64).every((s) => s === 0.25));
    assert.ok(out.subarray(64).every((s) => s === 0), "the rest is silence");
    assert.equal(jb.underruns, 1);
    assert.equal(jb.isPlaying, false);

    // Staying dry is one underrun, not one per quantum.
    for (let q = 0; q < 10; q++) assert.equal(jb.read(out), 0);
    assert.equal(jb.underruns, 1);

    // One frame is not enough to restart; three are.
    jb.push(constant(0.75));
    assert.equal(jb.read(out), 0);
    jb.push(constant(0.75));
    jb.push(constant(0.75));
    assert.equal(jb.read(out), QUANTUM);
    assert.ok(out.every((s) => s === 0.75));
    assert.equal(jb.underruns, 1);
  });

  test("a reader exactly keeping pace never underruns", () => {
    const jb = buffer();
    const out = new Float32Array(FRAME);
    for (let f = 0; f < 3; f++) jb.push(constant(0.1));
    for (let f = 0; f < 500; f++) {
      jb.push(constant(0.1));
      assert.equal(jb.read(out), FRAME);
    }
    assert.equal(jb.underruns, 0);
    assert.equal(jb.framesDropped, 0);
    assert.equal(jb.bufferedSamples, START);
  });
});

describe("JitterBuffer standing-latency trim", () => {
  const TRIMMED = { startSamples: START, maxSamples: MAX, trimWindowSamples: 48_000, trimStepSamples: FRAME };

  // Starts with `burstFrames` queued at once, then one frame per 20 ms of
  // playback for `seconds`; returns the fewest samples queued in the last second.
  function run(jb: JitterBuffer, burstFrames: number, seconds: number): number {
    for (let f = 0; f < burstFrames; f++) jb.push(constant(0.1));
    const out = new Float32Array(QUANTUM);
    let played = 0;
    let lowLastSecond = Infinity;
    const total = 48_000 * seconds;
    while (played < total) {
      jb.read(out);
      played += QUANTUM;
      if (played > total - 48_000) lowLastSecond = Math.min(lowLastSecond, jb.bufferedSamples);
      if (played % FRAME < QUANTUM) jb.push(constant(0.1)); // one frame per 960 samples played
    }
    return lowLastSecond;
  }

  test("latency left by a startup burst is shed down to the start level", () => {
    const jb = new JitterBuffer(TRIMMED);
    const low = run(jb, 9, 10); // 180 ms queued at first
    assert.ok(low >= START && low < START + FRAME, `low water ${low}`);
    assert.equal(jb.underruns, 0, "trimming never starves playback");
    assert.ok(jb.framesDropped >= 4 && jb.framesDropped <= 6, `${jb.framesDropped} trims of 20 ms`);
  });

  test("without trimming the same burst would cost ~120 ms for the whole call", () => {
    const jb = buffer();
    const low = run(jb, 9, 10);
    assert.ok(low > START + 4 * FRAME, `low water ${low}`);
    assert.equal(jb.framesDropped, 0);
  });

  test("a buffer already at the start level is never trimmed", () => {
    const jb = new JitterBuffer(TRIMMED);
    run(jb, 3, 10);
    assert.equal(jb.framesDropped, 0);
    assert.equal(jb.underruns, 0);
  });
});

test("JitterBuffer rejects a cap below the start level", () => {
  assert.throws(() => new JitterBuffer({ startSamples: 100, maxSamples: 50 }), RangeError);
  assert.throws(() => new JitterBuffer({ startSamples: 0, maxSamples: 50 }), RangeError);
});
