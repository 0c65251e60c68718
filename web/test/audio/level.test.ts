import assert from "node:assert/strict";
import { test } from "node:test";

import { LevelMeter } from "../../src/audio/level.js";
import { constant } from "./helpers.js";

test("LevelMeter is 0 until its first window is full", () => {
  const meter = new LevelMeter(4800);
  meter.push(constant(0.5, 4799));
  assert.equal(meter.level, 0);
  meter.push(constant(0.5, 1));
  assert.equal(meter.level, 0.5);
});

test("LevelMeter gives the RMS of the last complete window", () => {
  const meter = new LevelMeter(4800);
  const sine = new Float32Array(4800);
  for (let i = 0; i < sine.length; i++) sine[i] = Math.sin((2 * Math.PI * 100 * i) / 4800);
  meter.push(sine);
  assert.ok(Math.abs(meter.level - Math.SQRT1_2) < 1e-6, `level ${meter.level}`);
  meter.push(constant(0, 4800)); // then silence
  assert.equal(meter.level, 0);
});

test("LevelMeter counts only the samples it is given and stays within 0..1", () => {
  const meter = new LevelMeter(10);
  const block = constant(3, 20);
  meter.push(block, 10);
  assert.equal(meter.level, 1, "clamped");
  meter.reset();
  assert.equal(meter.level, 0);
});
