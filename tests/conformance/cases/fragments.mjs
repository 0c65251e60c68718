// 5.x Fragmentation: control frames may not be fragmented; a fragmented
// message is answered once, whole, with pings between its fragments
// answered on the way; a continuation with nothing to continue, or a new
// message inside one, fails the connection with 1002.
import { setTimeout as sleep } from 'node:timers/promises';

import { OP, cont, frame, ping, text } from '../lib/frames.mjs';
import { ANSWER, PONG, echoCase, failCase } from '../lib/harness.mjs';

const SEND = { whole: {}, frames: { mode: 'frames' }, chops: { mode: 'chops', chop: 1 } };
const HOW = { whole: 'sent in one chop', frames: 'sent in frame-wise chops', chops: 'sent in 1-byte chops' };

const twoFragments = () => [text('fragment1', { fin: false }), cont('fragment2')];
const withPing = () => [text('fragment1', { fin: false }), ping('ping payload'), cont('fragment2')];

const fail = (id, title, frames, how = 'whole') => ({
  id,
  title: `${title}, ${HOW[how]}`,
  run: (ctx) => failCase(ctx, { send: (c) => c.send(frames(), SEND[how]), codes: 1002 }),
});

const echo = (id, title, frames, expect, how = 'whole') => ({
  id,
  title: `${title}, ${HOW[how]}`,
  run: (ctx) => echoCase(ctx, { send: (c) => c.send(frames(), SEND[how]), expect }),
});

// Two fragments and a ping, a second's pause, two more and a ping and the
// last: both pongs come before the one answer to the message.
const slowMessage = (id, how) => ({
  id,
  title: `text message in 5 fragments with 2 pings between them and a 1 s pause, ${HOW[how]}`,
  timeout: 12_000,
  run: (ctx) =>
    echoCase(ctx, {
      send: async (c) => {
        await c.send([text('fragment1', { fin: false }), cont('fragment2', { fin: false }), ping('pongme 1!')], SEND[how]);
        await sleep(1000);
        await c.send(
          [cont('fragment3', { fin: false }), cont('fragment4', { fin: false }), ping('pongme 2!'), cont('fragment5')],
          SEND[how],
        );
      },
      expect: [PONG('pongme 1!'), PONG('pongme 2!'), ANSWER()],
    }),
});

const orphanContinuation = (fin) => () => [cont('non-continuation payload', { fin }), text('Hello, world!')];
const repeated = (firstFin) => () => {
  const once = [cont('fragment1', { fin: firstFin }), text('fragment2', { fin: false }), cont('fragment3')];
  return [...once, ...once];
};

export default {
  group: '5',
  title: 'Fragmentation',
  cases: [
    fail('5.1', 'ping in 2 fragments', () => [frame({ opcode: OP.ping, fin: false, payload: 'fragment1' }), cont('fragment2')]),
    fail('5.2', 'pong in 2 fragments', () => [frame({ opcode: OP.pong, fin: false, payload: 'fragment1' }), cont('fragment2')]),
    echo('5.3', 'text message in 2 fragments', twoFragments, [ANSWER()]),
    echo('5.4', 'text message in 2 fragments', twoFragments, [ANSWER()], 'frames'),
    echo('5.5', 'text message in 2 fragments', twoFragments, [ANSWER()], 'chops'),
    echo('5.6', 'text message in 2 fragments, a ping between them', withPing, [PONG('ping payload'), ANSWER()]),
    echo('5.7', 'text message in 2 fragments, a ping between them', withPing, [PONG('ping payload'), ANSWER()], 'frames'),
    echo('5.8', 'text message in 2 fragments, a ping between them', withPing, [PONG('ping payload'), ANSWER()], 'chops'),
    fail('5.9', 'continuation (FIN) with nothing to continue, then a text message', orphanContinuation(true)),
    fail('5.10', 'continuation (FIN) with nothing to continue, then a text message', orphanContinuation(true), 'frames'),
    fail('5.11', 'continuation (FIN) with nothing to continue, then a text message', orphanContinuation(true), 'chops'),
    fail('5.12', 'continuation (no FIN) with nothing to continue, then a text message', orphanContinuation(false)),
    fail('5.13', 'continuation (no FIN) with nothing to continue, then a text message', orphanContinuation(false), 'frames'),
    fail('5.14', 'continuation (no FIN) with nothing to continue, then a text message', orphanContinuation(false), 'chops'),
    {
      id: '5.15',
      title: 'text message in 2 fragments, then a continuation (no FIN) with nothing to continue, then a text message',
      run: (ctx) =>
        failCase(ctx, {
          send: (c) =>
            c.send([text('fragment1', { fin: false }), cont('fragment2'), cont('fragment3', { fin: false }), text('fragment4')]),
          codes: 1002,
          before: [ANSWER()],
          nonStrictBefore: [],
        }),
    },
    fail('5.16', 'twice: continuation (no FIN) with nothing to continue, then a text message in 2 fragments', repeated(false)),
    fail('5.17', 'twice: continuation (FIN) with nothing to continue, then a text message in 2 fragments', repeated(true)),
    fail('5.18', 'text message in 2 fragments, both with the text opcode', () => [text('fragment1', { fin: false }), text('fragment2')]),
    slowMessage('5.19', 'whole'),
    slowMessage('5.20', 'frames'),
  ],
};
