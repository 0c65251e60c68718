// Test helpers: frames whose samples tell where they came from.

export const FRAME = 960; // 20 ms at 48 kHz
export const QUANTUM = 128; // one Web Audio render quantum

/** A frame of `length` samples all equal to `value`. */
export function constant(value: number, length = FRAME): Float32Array {
  return new Float32Array(length).fill(value);
}

/** A frame whose samples count up from `start` (in steps of 1e-4) to check ordering. */
export function ramp(start: number, length = FRAME): Float32Array {
  const frame = new Float32Array(length);
  for (let i = 0; i < length; i++) frame[i] = (start + i) * 1e-4;
  return frame;
}

export function maxAbs(samples: Float32Array): number {
  let m = 0;
  for (const s of samples) m = Math.max(m, Math.abs(s));
  return m;
}
