// 7.x Closing handshake: the server answers a close with a close (the same
// code; no code for none) and then closes TCP; nothing sent after our close
// is acted on; a close payload of 1 byte, over 125 bytes or with an invalid
// code fails the connection with 1002, an invalid UTF-8 reason with 1007.
import { close, cont, ping, text } from '../lib/frames.mjs';
import { ANSWER, CLOSE_WITHIN, closeClean, echoCase, failCase, failed } from '../lib/harness.mjs';
import { describe } from '../lib/client.mjs';
import { KOSME } from '../lib/utf8.mjs';

// Frames before our close, and frames after it in the same write: the
// answers to the first come before the echo, the second are ignored.
function closeWith(id, title, { before = [], after = [], expect = [], code = 1000, reason = '', raw, expectCode = code }) {
  return {
    id,
    title,
    run: async (ctx) => {
      const c = await ctx.open();
      c.closeSent = true;
      const ours = raw ?? close(code, reason);
      await c.send([...before, ours, ...after]);
      await c.until(() => c.closeFrame || c.over, CLOSE_WITHIN);
      const events = c.significant(c.mark);
      const closeAt = events.findIndex((e) => e.kind === 'close');
      const prior = (closeAt < 0 ? events : events.slice(0, closeAt)).filter((e) => e.kind !== 'end' && e.kind !== 'reset');
      const described = prior.map(describe);
      if (described.length !== expect.length || described.some((d, i) => d !== expect[i]))
        return failed(`expected ${expect.join(', ') || 'nothing'} before the close echo, got ${described.join(', ') || 'nothing'}`);
      // Our close is out already: this waits for the FIN, and fails on
      // anything but the echo from the echo on.
      return closeClean(c, { expectCode, from: c.closeFrame ? c.events.indexOf(c.closeFrame) : c.events.length });
    },
  };
}

// A close the server must refuse.
const badClose = (id, title, frame, code = 1002) => ({
  id,
  title,
  run: (ctx) =>
    failCase(ctx, {
      send: (c) => {
        c.closeSent = true; // Ours went first: the server's is the answer.
        return c.send(frame);
      },
      codes: code,
    }),
});

const VALID_CODES = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999];
const OUR_VALID_CODES = [1012, 1013, 1014]; // Registered with IANA since: ours, 7.7.14 on.
const INVALID_CODES = [0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999];
const OUR_INVALID_CODES = [1015]; // 7.9.10, ours.

const INVALID_REASON = Buffer.concat([KOSME, Buffer.from('eda080', 'hex'), Buffer.from('edited')]);

export default {
  group: '7',
  title: 'Close Handling',
  cases: [
    {
      id: '7.1.1',
      title: 'a text message, then a close',
      run: (ctx) => echoCase(ctx, { send: (c) => c.send(text('Hello World!')), expect: [ANSWER()] }),
    },
    closeWith('7.1.2', 'two close frames: the second is ignored', { after: [close()] }),
    closeWith('7.1.3', 'a ping after the close: no pong', { after: [ping()] }),
    closeWith('7.1.4', 'a text message after the close: no answer', { after: [text('Hello World!')] }),
    closeWith('7.1.5', 'fragment 1 of a message, the close, fragment 2: no answer', {
      before: [text('fragment1', { fin: false })],
      after: [cont('fragment2')],
    }),
    closeWith('7.1.6', 'a 65536-byte text message (256 KiB in Autobahn: over our limit), a small one, the close, a ping', {
      before: [text(Buffer.alloc(65536, 'BAsd7&jh23')), text('Hello World!')],
      after: [ping()],
      expect: [ANSWER(), ANSWER()],
    }),
    closeWith('7.3.1', 'close with no payload: answered with no code (or 1000)', { raw: close(), expectCode: [null, 1000] }),
    badClose('7.3.2', 'close with a 1-byte payload: fail (1002)', close(undefined, '', { raw: Buffer.from('a') })),
    closeWith('7.3.3', 'close with code 1000', {}),
    closeWith('7.3.4', 'close with code 1000 and a reason', { reason: 'Hello World!' }),
    closeWith('7.3.5', 'close with code 1000 and a reason of 123 bytes (the most)', { reason: '*'.repeat(123) }),
    badClose('7.3.6', 'close with a reason of 124 bytes (payload 126): fail (1002)', close(1000, '*'.repeat(124))),
    badClose('7.5.1', 'close with a reason that is not UTF-8: fail (1007)', close(1000, INVALID_REASON), 1007),
    ...[...VALID_CODES, ...OUR_VALID_CODES].map((code, i) =>
      closeWith(`7.7.${i + 1}`, `close with valid code ${code}: echoed${i >= VALID_CODES.length ? ' (ours)' : ''}`, { code }),
    ),
    ...[...INVALID_CODES, ...OUR_INVALID_CODES].map((code, i) =>
      badClose(`7.9.${i + 1}`, `close with invalid code ${code}: fail (1002)${i >= INVALID_CODES.length ? ' (ours)' : ''}`, close(code)),
    ),
    badClose('7.13.1', 'close with code 5000: fail (1002)', close(5000)),
    badClose('7.13.2', 'close with code 65535: fail (1002)', close(65535)),
  ],
};
