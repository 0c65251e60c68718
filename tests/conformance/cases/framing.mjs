// 1.x Framing: text and binary messages of every length encoding, whole and
// in 997-byte chops of the TCP stream.
import { OP, frame } from '../lib/frames.mjs';
import { ANSWER, echoCase } from '../lib/harness.mjs';
import { binaryMessage } from '../lib/wire.mjs';

const LENGTHS = [0, 125, 126, 127, 128, 65535, 65536];

function messageCase(id, opcode, length, chop) {
  const kind = opcode === OP.text ? 'text' : 'binary';
  const { bytes, requestId } = opcode === OP.text ? { bytes: Buffer.alloc(length, '*'), requestId: 0 } : binaryMessage(length, 120 + length);
  return {
    id,
    title: `${kind} message of ${length} bytes${chop ? `, sent in chops of ${chop} bytes` : ''}`,
    run: (ctx) =>
      echoCase(ctx, {
        send: (c) => c.send(frame({ opcode, payload: bytes }), chop ? { mode: 'chops', chop } : {}),
        expect: [ANSWER(requestId)],
      }),
  };
}

export default {
  group: '1',
  title: 'Framing',
  cases: [
    ...LENGTHS.map((n, i) => messageCase(`1.1.${i + 1}`, OP.text, n)),
    messageCase('1.1.8', OP.text, 65536, 997),
    ...LENGTHS.map((n, i) => messageCase(`1.2.${i + 1}`, OP.binary, n)),
    messageCase('1.2.8', OP.binary, 65536, 997),
  ],
};
