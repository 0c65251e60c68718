// 2.x Pings and pongs: every ping answered by a pong with its payload, in
// order, however the bytes are cut; a ping over 125 bytes fails the
// connection; unsolicited pongs are taken silently.
import { ping, pong } from '../lib/frames.mjs';
import { PONG, echoCase, failCase } from '../lib/harness.mjs';

const pingCase = (id, title, payload, sendOptions = {}) => ({
  id,
  title,
  run: (ctx) => echoCase(ctx, { send: (c) => c.send(ping(payload), sendOptions), expect: [PONG(payload)] }),
});

const tenPings = Array.from({ length: 10 }, (_, i) => `payload-${i}`);

export default {
  group: '2',
  title: 'Pings/Pongs',
  cases: [
    pingCase('2.1', 'ping without payload', ''),
    pingCase('2.2', 'ping with a small text payload', 'Hello, world!'),
    pingCase('2.3', 'ping with a small binary (non UTF-8) payload', Buffer.from('00fffefdfcfb00ff', 'hex')),
    pingCase('2.4', 'ping with a binary payload of 125 bytes', Buffer.alloc(125, 0xfe)),
    {
      id: '2.5',
      title: 'ping with a binary payload of 126 bytes: fail (1002)',
      run: (ctx) => failCase(ctx, { send: (c) => c.send(ping(Buffer.alloc(126, 0xfe))), codes: 1002 }),
    },
    pingCase('2.6', 'ping with a binary payload of 125 bytes, sent in 1-byte chops', Buffer.alloc(125, 0xfe), { mode: 'chops', chop: 1 }),
    {
      id: '2.7',
      title: 'unsolicited pong without payload: nothing comes back',
      run: (ctx) => echoCase(ctx, { send: (c) => c.send(pong()), expect: [] }),
    },
    {
      id: '2.8',
      title: 'unsolicited pong with payload: nothing comes back',
      run: (ctx) => echoCase(ctx, { send: (c) => c.send(pong('unsolicited pong payload')), expect: [] }),
    },
    {
      id: '2.9',
      title: 'unsolicited pong, then a ping: only the pong for the ping',
      run: (ctx) =>
        echoCase(ctx, {
          send: (c) => c.send([pong('unsolicited pong payload'), ping('ping payload')]),
          expect: [PONG('ping payload')],
        }),
    },
    {
      id: '2.10',
      title: '10 pings with payloads: 10 pongs with the same payloads, in order',
      run: (ctx) => echoCase(ctx, { send: (c) => c.send(tenPings.map((p) => ping(p))), expect: tenPings.map(PONG) }),
    },
    {
      id: '2.11',
      title: '10 pings with payloads, sent in 1-byte chops',
      run: (ctx) =>
        echoCase(ctx, {
          send: (c) => c.send(tenPings.map((p) => ping(p)), { mode: 'chops', chop: 1 }),
          expect: tenPings.map(PONG),
        }),
    },
  ],
};
