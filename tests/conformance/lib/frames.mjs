// RFC 6455 frames as a client writes them (masked, with every bit under the
// caller's control, so that broken frames can be built too) and a reader for
// what the server sends back, which checks the server's frames as strictly as
// the server checks ours.
import { randomBytes } from 'node:crypto';

export const OP = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 };

const asBuffer = (payload) => (Buffer.isBuffer(payload) ? payload : Buffer.from(payload ?? ''));

// One client frame. `rsv` is the three reserved bits as a number (1 = RSV1,
// 2 = RSV2, 4 = RSV3), `length` overrides the length field (a lie about the
// payload), `mask: false` sends it unmasked.
export function frame({ opcode, payload = '', fin = true, rsv = 0, mask = true, length } = {}) {
  const data = asBuffer(payload);
  const size = length ?? data.length;
  const head = [(fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0f)];
  const maskBit = mask ? 0x80 : 0;
  if (size < 126) {
    head.push(maskBit | size);
  } else if (size <= 0xffff) {
    head.push(maskBit | 126, size >> 8, size & 0xff);
  } else {
    head.push(maskBit | 127);
    const big = BigInt(size);
    for (let i = 7; i >= 0; i--) head.push(Number((big >> BigInt(8 * i)) & 0xffn));
  }
  if (!mask) return Buffer.concat([Buffer.from(head), data]);
  const key = randomBytes(4);
  const masked = Buffer.allocUnsafe(data.length);
  for (let i = 0; i < data.length; i++) masked[i] = data[i] ^ key[i & 3];
  return Buffer.concat([Buffer.from(head), key, masked]);
}

// A frame's header only (for a frame whose payload goes out in pieces):
// returns the header bytes and a function that masks the payload's bytes
// from a given offset.
export function frameHeader({ opcode, fin = true, rsv = 0, length }) {
  const whole = frame({ opcode, fin, rsv, length, payload: Buffer.alloc(0) });
  // `frame` masks nothing here (empty payload), so its last four bytes are the key.
  const key = whole.subarray(whole.length - 4);
  const maskFrom = (bytes, offset) => {
    const data = asBuffer(bytes);
    const out = Buffer.allocUnsafe(data.length);
    for (let i = 0; i < data.length; i++) out[i] = data[i] ^ key[(offset + i) & 3];
    return out;
  };
  return { header: whole, maskFrom };
}

export const text = (payload, opts = {}) => frame({ opcode: OP.text, payload, ...opts });
export const binary = (payload, opts = {}) => frame({ opcode: OP.binary, payload, ...opts });
export const cont = (payload, opts = {}) => frame({ opcode: OP.continuation, payload, ...opts });
export const ping = (payload = '', opts = {}) => frame({ opcode: OP.ping, payload, ...opts });
export const pong = (payload = '', opts = {}) => frame({ opcode: OP.pong, payload, ...opts });

// A close frame: no code (empty payload), a code, a code and a reason (a
// string or raw bytes), or raw payload bytes.
export function close(code, reason = '', opts = {}) {
  if (opts.raw) return frame({ opcode: OP.close, payload: opts.raw, ...opts });
  if (code === undefined || code === null) return frame({ opcode: OP.close, ...opts });
  const head = Buffer.from([(code >> 8) & 0xff, code & 0xff]);
  return frame({ opcode: OP.close, payload: Buffer.concat([head, asBuffer(reason)]), ...opts });
}

// A message in fragments of `size` bytes (the last may be shorter). With
// `emptyFinal` every byte goes in a non-final fragment and an empty final
// continuation ends the message.
export function fragments(opcode, payload, size, { emptyFinal = false } = {}) {
  const data = asBuffer(payload);
  const pieces = [];
  for (let at = 0; at < data.length; at += size) pieces.push(data.subarray(at, at + size));
  if (pieces.length === 0) pieces.push(Buffer.alloc(0));
  if (emptyFinal) pieces.push(Buffer.alloc(0));
  return pieces.map((piece, i) =>
    frame({ opcode: i === 0 ? opcode : OP.continuation, payload: piece, fin: i === pieces.length - 1 }),
  );
}

// --- What the server sends --------------------------------------------------

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function isUtf8(bytes) {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

// Reads server frames from a byte stream. Each frame: { fin, rsv, opcode,
// payload }, plus `violation` when the server broke RFC 6455 with it.
export class FrameParser {
  constructor() {
    this.buffer = Buffer.alloc(0);
    this.inMessage = false;
  }

  // Appends bytes; returns the frames now complete.
  push(bytes) {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, bytes]) : Buffer.from(bytes);
    const out = [];
    for (;;) {
      const b = this.buffer;
      if (b.length < 2) break;
      let size = b[1] & 0x7f;
      let at = 2;
      if (size === 126) {
        if (b.length < 4) break;
        size = b.readUInt16BE(2);
        at = 4;
      } else if (size === 127) {
        if (b.length < 10) break;
        const big = b.readBigUInt64BE(2);
        if (big > BigInt(Number.MAX_SAFE_INTEGER)) {
          out.push({ violation: `a frame length of ${big}` });
          this.buffer = Buffer.alloc(0);
          break;
        }
        size = Number(big);
        at = 10;
      }
      const masked = (b[1] & 0x80) !== 0;
      if (masked) at += 4;
      if (b.length < at + size) break;
      const f = {
        fin: (b[0] & 0x80) !== 0,
        rsv: (b[0] >> 4) & 7,
        opcode: b[0] & 0x0f,
        payload: Buffer.from(b.subarray(at, at + size)),
      };
      const problems = [];
      if (masked) problems.push('a masked server frame');
      if (f.rsv) problems.push(`reserved bits ${f.rsv} set`);
      if ((b[1] & 0x7f) === 126 && size < 126) problems.push('a length not in its shortest form');
      if ((b[1] & 0x7f) === 127 && size <= 0xffff) problems.push('a length not in its shortest form');
      if (f.opcode >= 8) {
        if (![OP.close, OP.ping, OP.pong].includes(f.opcode)) problems.push(`reserved opcode ${f.opcode}`);
        if (!f.fin) problems.push('a fragmented control frame');
        if (size > 125) problems.push(`a control frame of ${size} bytes`);
        if (f.opcode === OP.close) {
          if (size === 1) problems.push('a close frame with a 1-byte payload');
          if (size >= 2) {
            f.code = f.payload.readUInt16BE(0);
            if (!isUtf8(f.payload.subarray(2))) problems.push('a close reason that is not UTF-8');
            f.reason = f.payload.subarray(2).toString('utf8');
          } else {
            f.code = null;
            f.reason = '';
          }
        }
      } else if (f.opcode === OP.continuation) {
        if (!this.inMessage) problems.push('a continuation with no message');
        this.inMessage = !f.fin;
      } else if (f.opcode === OP.text || f.opcode === OP.binary) {
        if (this.inMessage) problems.push('a message inside another');
        this.inMessage = !f.fin;
      } else {
        problems.push(`reserved opcode ${f.opcode}`);
      }
      if (problems.length) f.violation = problems.join(', ');
      out.push(f);
      this.buffer = b.subarray(at + size);
    }
    return out;
  }
}
