// Hand-built byte strings (label / str / u64), never re-encoded protobuf,
// so two implementations cannot disagree about an encoding.
const encoder = new TextEncoder();
const U64_MAX = (1n << 64n) - 1n;

export type U64 = number | bigint;

/** Accepts a number or bigint and refuses anything that is not a u64, rather than wrapping silently. */
export function toU64(value: U64): bigint {
  if (typeof value === "number" && !Number.isSafeInteger(value)) throw new RangeError(`not a safe integer: ${value}`);
  const big = BigInt(value);
  if (big < 0n || big > U64_MAX) throw new RangeError(`not a u64: ${big}`);
  return big;
}

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

export function u64Bytes(value: U64): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, toU64(value), false);
  return out;
}

export function readU64(bytes: Uint8Array, offset = 0): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(offset, false);
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** memcmp order: negative, zero or positive. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

export class ByteWriter {
  private readonly parts: Uint8Array[] = [];

  /** ASCII bytes, no length: every byte string starts with its own label. */
  label(text: string): this {
    this.parts.push(utf8(text));
    return this;
  }

  /** 4-byte big-endian length of the UTF-8 bytes, then the bytes. */
  str(text: string): this {
    const bytes = utf8(text);
    const length = new Uint8Array(4);
    new DataView(length.buffer).setUint32(0, bytes.length, false);
    this.parts.push(length, bytes);
    return this;
  }

  u64(value: U64): this {
    this.parts.push(u64Bytes(value));
    return this;
  }

  u8(value: number): this {
    this.parts.push(Uint8Array.of(value));
    return this;
  }

  /** Keys, nonces, signatures: fixed lengths, so no length prefix. */
  raw(bytes: Uint8Array): this {
    this.parts.push(bytes);
    return this;
  }

  take(): Uint8Array {
    return concatBytes(...this.parts);
  }
}
