// 3.x Reserved bits and 4.x reserved opcodes: no extension is negotiated,
// so any RSV bit or unknown opcode fails the connection with 1002. Where a
// good message comes first it is answered first (Autobahn: OK; failing
// before answering it is NON-STRICT), and the ping after the bad frame is
// never answered.
import { binary, close, frame, ping, text } from '../lib/frames.mjs';
import { ANSWER, failCase } from '../lib/harness.mjs';

const HELLO = 'Hello, world!';
const SEND = { whole: {}, frames: { mode: 'frames' }, chops: { mode: 'chops', chop: 1 } };

// Bad frame alone.
const alone = (id, title, bad) => ({
  id,
  title,
  run: (ctx) => failCase(ctx, { send: (c) => c.send(bad), codes: 1002 }),
});

// A good text message, the bad frame, a ping.
const between = (id, title, bad, how = 'whole') => ({
  id,
  title,
  run: (ctx) =>
    failCase(ctx, {
      send: (c) => c.send([text(HELLO), bad, ping()], SEND[how]),
      codes: 1002,
      before: [ANSWER()],
      nonStrictBefore: [],
    }),
});

export const reservedBits = {
  group: '3',
  title: 'Reserved Bits',
  cases: [
    alone('3.1', 'small text message with RSV = 1', text(HELLO, { rsv: 1 })),
    between('3.2', 'text message, then one with RSV = 2, then a ping', text(HELLO, { rsv: 2 })),
    between('3.3', 'text message, then one with RSV = 3, then a ping, in frame-wise chops', text(HELLO, { rsv: 3 }), 'frames'),
    between('3.4', 'text message, then one with RSV = 4, then a ping, in 1-byte chops', text(HELLO, { rsv: 4 }), 'chops'),
    alone('3.5', 'small binary message with RSV = 5', binary(Buffer.from('00fffefdfcfb00ff', 'hex'), { rsv: 5 })),
    alone('3.6', 'ping with RSV = 6', ping(HELLO, { rsv: 6 })),
    alone('3.7', 'close with RSV = 7', close(1000, '', { rsv: 7 })),
  ],
};

const op = (opcode, payload = '') => frame({ opcode, payload });
const PAYLOAD = 'reserved opcode payload';

export const reservedOpcodes = {
  group: '4',
  title: 'Opcodes',
  cases: [
    alone('4.1.1', 'frame with reserved non-control opcode 3', op(3)),
    alone('4.1.2', 'frame with reserved non-control opcode 4 and a payload', op(4, PAYLOAD)),
    between('4.1.3', 'text message, then reserved non-control opcode 5, then a ping', op(5)),
    between('4.1.4', 'text message, then reserved non-control opcode 6 with a payload, then a ping', op(6, PAYLOAD)),
    between('4.1.5', 'text message, then reserved non-control opcode 7 with a payload, then a ping, in 1-byte chops', op(7, PAYLOAD), 'chops'),
    alone('4.2.1', 'frame with reserved control opcode 11', op(11)),
    alone('4.2.2', 'frame with reserved control opcode 12 and a payload', op(12, PAYLOAD)),
    between('4.2.3', 'text message, then reserved control opcode 13, then a ping', op(13)),
    between('4.2.4', 'text message, then reserved control opcode 14 with a payload, then a ping', op(14, PAYLOAD)),
    between('4.2.5', 'text message, then reserved control opcode 15 with a payload, then a ping, in 1-byte chops', op(15, PAYLOAD), 'chops'),
  ],
};
