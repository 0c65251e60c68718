import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { Mixer, softClip } from "../../src/audio/mixer.js";
import { constant, FRAME, maxAbs, QUANTUM } from "./helpers.js";

function mixer(): Mixer {
  return new Mixer({ startSamples: 2880, maxSamples: 9600, levelWindowSamples: 4800 });
}

function prime(m: Mixer, senderId: string, value: number, frames = 3): void {
  for (let f = 0; f < frames; f++) m.push(senderId, constant(value));
}

describe("softClip", () => {
  test("leaves normal levels untouched", () => {
    for (const x of [0, 0.1, -0.3, 0.5, -0.5]) assert.equal(softClip(x), x);
  });

  test("never passes full scale however loud the input", () => {
    // Up to a few times full scale it stays below 1; far beyond, tanh rounds to exactly 1.
    for (const x of [0.51, 0.9, 1, 1.5, 2, 3]) {
      const y = softClip(x);
      assert.ok(y > 0.5 && y < 1, `softClip(${x}) = ${y}`);
      assert.equal(softClip(-x), -y, "odd symmetric");
    }
    for (const x of [10, 1e6, Number.MAX_VALUE]) {
      assert.ok(softClip(x) <= 1 && softClip(-x) >= -1, `softClip(${x}) = ${softClip(x)}`);
    }
  });

  test("is monotonic and continuous at the knee", () => {
    let previous = -Infinity;
    for (let x = -4; x <= 4; x += 0.001) {
      const y = softClip(x);
      assert.ok(y >= previous, `not monotonic at ${x}`);
      previous = y;
    }
    assert.ok(Math.abs(softClip(0.5 + 1e-9) - 0.5) < 1e-8);
  });
});

describe("Mixer", () => {
  test("mixes two senders as their sum", () => {
    const m = mixer();
    prime(m, "a", 0.1);
    prime(m, "b", 0.2);
    const out = new Float32Array(QUANTUM);
    m.render(out);
    for (const s of out) assert.ok(Math.abs(s - 0.3) < 1e-6, `sample ${s}`);
  });

  test("a sender still priming adds nothing", () => {
    const m = mixer();
    prime(m, "a", 0.1);
    prime(m, "b", 0.2, 2); // 40 ms: below the start level
    const out = new Float32Array(QUANTUM);
    m.render(out);
    for (const s of out) assert.ok(Math.abs(s - 0.1) < 1e-6, `sample ${s}`);
  });

  test("loud senders together are clipped to full scale, two loud ones softly", () => {
    const m = mixer();
    for (let i = 0; i < 10; i++) prime(m, `s${i}`, i % 2 === 0 ? 1 : 0.9);
    const out = new Float32Array(QUANTUM);
    m.render(out);
    const peak = maxAbs(out);
    assert.ok(peak <= 1, `peak ${peak}`);
    assert.ok(peak > 0.9, "still louder than any one sender");

    // Two voices at 0.7 (1.4 summed) are bent, not flattened: below 1, above 0.7.
    const two = mixer();
    prime(two, "a", 0.7);
    prime(two, "b", 0.7);
    two.render(out);
    assert.ok(maxAbs(out) < 1 && maxAbs(out) > 0.7, `two loud: ${maxAbs(out)}`);
  });

  test("opposite-phase senders cancel (the mix is a sum, not a max)", () => {
    const m = mixer();
    prime(m, "a", 0.4);
    prime(m, "b", -0.4);
    const out = new Float32Array(QUANTUM);
    m.render(out);
    assert.equal(maxAbs(out), 0);
  });

  test("reports each sender's level and the output level", () => {
    const m = mixer();
    const sine = (amplitude: number) => {
      const frame = new Float32Array(FRAME);
      for (let i = 0; i < FRAME; i++) frame[i] = amplitude * Math.sin((2 * Math.PI * 480 * i) / 48_000);
      return frame;
    };
    for (let f = 0; f < 10; f++) {
      m.push("loud", sine(0.4));
      m.push("quiet", sine(0.04));
    }
    const out = new Float32Array(QUANTUM);
    for (let q = 0; q < 40; q++) m.render(out); // 5120 samples: one full window
    assert.ok(Math.abs(m.level("loud") - 0.4 / Math.SQRT2) < 0.01, `loud ${m.level("loud")}`);
    assert.ok(Math.abs(m.level("quiet") - 0.04 / Math.SQRT2) < 0.001, `quiet ${m.level("quiet")}`);
    assert.ok(Math.abs(m.outputLevel - 0.44 / Math.SQRT2) < 0.01, `output ${m.outputLevel}`);
    assert.equal(m.level("nobody"), 0);
  });

  test("forgetting a sender keeps the totals and stops its audio", () => {
    const m = mixer();
    prime(m, "a", 0.3);
    const out = new Float32Array(QUANTUM);
    for (let q = 0; q < 30; q++) m.render(out); // runs dry: one underrun
    assert.equal(m.underruns, 1);
    for (let f = 0; f < 20; f++) m.push("a", constant(0.3)); // burst: drops
    const dropped = m.framesDropped;
    assert.ok(dropped > 0);
    m.forget("a");
    assert.deepEqual([...m.senders()], []);
    assert.equal(m.underruns, 1);
    assert.equal(m.framesDropped, dropped);
    m.render(out);
    assert.equal(maxAbs(out), 0);
    assert.equal(m.bufferedSamples("a"), 0);
  });
});
