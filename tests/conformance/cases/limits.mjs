// 9.x Limits and performance, at OUR limit: max_message_bytes is 65536, so
// Autobahn's messages of 256 KiB to 16 MiB cannot be answered. Messages up
// to 65536 bytes, whole, in fragments of 64 bytes to 64 KiB, or in TCP
// chops of 64 to 2048 bytes, must be answered; a message over the limit
// must be failed with 1009 (our documented policy: counted OK, and the
// report says so). 9.7/9.8 are Autobahn's round trips: 1000 messages one
// at a time, through the `ws` package.
import { performance } from 'node:perf_hooks';
import { setImmediate as immediate } from 'node:timers/promises';

import { OP, fragments, frame, frameHeader } from '../lib/frames.mjs';
import { ANSWER, echoCase, failCase, failed, ok } from '../lib/harness.mjs';
import { binaryMessage } from '../lib/wire.mjs';
import { WsClient } from '../lib/wsclient.mjs';

export const LIMIT = 65536;
const KiB = 1024;
const MiB = 1024 * KiB;
const policy = (length) => `1009 for a ${length}-byte message: over max_message_bytes ${LIMIT}, our documented policy (Autobahn expects an echo)`;

const TEXT_FILL = Buffer.from('BAsd7&jh23');
const BINARY_FILL = Buffer.from('00fe23faf0', 'hex');

// A message at or under the limit, its bytes and expected answer.
function message(opcode, length, requestId) {
  if (opcode === OP.text) return { bytes: Buffer.alloc(length, TEXT_FILL), answer: ANSWER() };
  const m = binaryMessage(length, requestId);
  return { bytes: m.bytes, answer: ANSWER(m.requestId) };
}

const kind = (opcode) => (opcode === OP.text ? 'text' : 'binary');
const size = (n) => (n >= MiB ? `${n / MiB} MiB` : n >= KiB ? `${n / KiB} KiB` : `${n} bytes`);

// Writes one frame of `length` bytes, its payload in 64 KiB writes, until
// done or until the server closed. Between writes it lets the socket be
// read (as a client that reads while it writes), so that it stops soon
// after the server's close frame instead of writing into a closed socket.
async function sendLongFrame(c, { opcode, length, fin = true, fill }) {
  const { header, maskFrom } = frameHeader({ opcode, fin, length });
  if (!(await c.write(header))) return;
  const chunk = Buffer.alloc(64 * KiB, fill);
  for (let at = 0; at < length; at += chunk.length) {
    await immediate();
    if (c.closeFrame || c.over) return;
    const piece = chunk.subarray(0, Math.min(chunk.length, length - at));
    if (!(await c.write(maskFrom(piece, at)))) return;
  }
}

const whole = (id, opcode, length) => {
  if (length <= LIMIT) {
    const m = message(opcode, length, 9000 + length % 1000);
    return {
      id,
      title: `${kind(opcode)} message of ${size(length)}`,
      run: (ctx) => echoCase(ctx, { send: (c) => c.send(frame({ opcode, payload: m.bytes })), expect: [m.answer] }),
    };
  }
  return {
    id,
    title: `${kind(opcode)} message of ${size(length)}: over our limit, fail (1009)`,
    timeout: 15_000,
    run: (ctx) =>
      failCase(ctx, {
        send: (c) => sendLongFrame(c, { opcode, length, fill: opcode === OP.text ? TEXT_FILL : BINARY_FILL }),
        codes: 1009,
        policy: policy(length),
      }),
  };
};

// A message of `length` in fragments of `piece` bytes.
const fragmented = (id, opcode, length, piece) => {
  if (length <= LIMIT) {
    const m = message(opcode, length, 9100 + (piece % 1000));
    return {
      id,
      title: `${kind(opcode)} message of ${size(length)} in fragments of ${size(piece)}`,
      run: (ctx) => echoCase(ctx, { send: (c) => c.send(fragments(opcode, m.bytes, piece)), expect: [m.answer] }),
    };
  }
  return {
    id,
    title: `${kind(opcode)} message of ${size(length)} in fragments of ${size(piece)}: over our limit, fail (1009)`,
    timeout: 15_000,
    run: (ctx) =>
      failCase(ctx, {
        send: async (c) => {
          const fill = opcode === OP.text ? TEXT_FILL : BINARY_FILL;
          if (piece >= 64 * KiB) {
            for (let at = 0; at < length && !c.closeFrame && !c.over; at += piece)
              await sendLongFrame(c, { opcode: at ? OP.continuation : opcode, length: Math.min(piece, length - at), fin: at + piece >= length, fill });
            return;
          }
          const frames = fragments(opcode, Buffer.alloc(length, fill), piece);
          for (let i = 0; i < frames.length && !c.closeFrame && !c.over; i += 256) await c.send(frames.slice(i, i + 256));
        },
        codes: 1009,
        policy: policy(length),
      }),
  };
};

const chopped = (id, opcode, chop) => {
  const m = message(opcode, LIMIT, 9200 + chop % 1000);
  return {
    id,
    title: `${kind(opcode)} message of 64 KiB (1 MiB in Autobahn: over our limit), sent in chops of ${chop} bytes`,
    timeout: 15_000,
    run: (ctx) => echoCase(ctx, { send: (c) => c.send(frame({ opcode, payload: m.bytes }), { mode: 'chops', chop, gap: 0 }), expect: [m.answer] }),
  };
};

// Autobahn 9.7/9.8: `count` messages of `length`, each sent when the last
// one's answer came.
const roundTrips = (id, opcode, length, count = 1000) => ({
  id,
  title: `${count} ${kind(opcode)} messages of ${size(length)}, one at a time (round-trip time)`,
  timeout: 30_000,
  run: async (ctx) => {
    const client = await WsClient.open(ctx);
    const started = performance.now();
    for (let i = 1; i <= count; i++) {
      const m = opcode === OP.text ? { bytes: Buffer.alloc(length, '*'), requestId: 0 } : binaryMessage(length, i);
      await client.send(m.bytes, opcode === OP.binary);
      if (!(await client.waitAnswers(i))) return failed(`no answer to message ${i} within 5 s`);
      const a = client.answers[i - 1];
      if (a.code !== 9 || a.requestId !== m.requestId)
        return failed(`message ${i} answered with code ${a.code} request ${a.requestId}, expected MALFORMED for request ${m.requestId}`);
      if (client.unexpected.length) return failed(`unexpected: ${client.unexpected.join(', ')}`);
    }
    const ms = performance.now() - started;
    const closing = await client.close();
    if (closing) return failed(closing);
    return ok(`${count} round trips in ${Math.round(ms)} ms (${((ms * 1000) / count).toFixed(0)} µs each)`);
  },
});

const WHOLE = [64 * KiB, 256 * KiB, MiB, 4 * MiB, 8 * MiB, 16 * MiB];
const PIECES = [64, 256, KiB, 4 * KiB, 16 * KiB, 64 * KiB, 256 * KiB, MiB, 4 * MiB];
const CHOPS = [64, 128, 256, 512, 1024, 2048];
const RTT = [0, 16, 64, 256, 1024, 4096];

export default {
  group: '9',
  title: 'Limits/Performance (at our limit of 64 KiB)',
  cases: [
    ...WHOLE.map((n, i) => whole(`9.1.${i + 1}`, OP.text, n)),
    whole('9.1.7', OP.text, LIMIT + 1),
    ...WHOLE.map((n, i) => whole(`9.2.${i + 1}`, OP.binary, n)),
    whole('9.2.7', OP.binary, LIMIT + 1),
    // Up to 64 KiB fragments: a 64 KiB message (4 MiB in Autobahn); bigger
    // fragments: Autobahn's 4 MiB message, over the limit at once.
    ...PIECES.map((p, i) => fragmented(`9.3.${i + 1}`, OP.text, p <= 64 * KiB ? LIMIT : 4 * MiB, p)),
    fragmented('9.3.10', OP.text, LIMIT + 64, 64),
    ...PIECES.map((p, i) => fragmented(`9.4.${i + 1}`, OP.binary, p <= 64 * KiB ? LIMIT : 4 * MiB, p)),
    fragmented('9.4.10', OP.binary, LIMIT + 64, 64),
    ...CHOPS.map((chop, i) => chopped(`9.5.${i + 1}`, OP.text, chop)),
    ...CHOPS.map((chop, i) => chopped(`9.6.${i + 1}`, OP.binary, chop)),
    ...RTT.map((n, i) => roundTrips(`9.7.${i + 1}`, OP.text, n)),
    ...RTT.map((n, i) => roundTrips(`9.8.${i + 1}`, OP.binary, n)),
  ],
};
