// 10.x Misc, and 12.x/13.x permessage-deflate, which the server declines:
// whatever a client offers (Autobahn's default offer, each of its parameter
// sets, the bare extension name, the `ws` package's own offer), the 101
// carries no Sec-WebSocket-Extensions, uncompressed messages then work, and
// a compressed frame (RSV1) is refused with 1002 as any reserved bit is.
import { deflateRawSync } from 'node:zlib';

import { OP, fragments, frame } from '../lib/frames.mjs';
import { ANSWER, closeClean, echoCase, failed, judgeFailure, ok } from '../lib/harness.mjs';
import { binaryMessage } from '../lib/wire.mjs';
import { WsClient } from '../lib/wsclient.mjs';

export const misc = {
  group: '10',
  title: 'Misc',
  cases: [
    {
      id: '10.1.1',
      title: 'text message of 65536 bytes in fragments of 1300 bytes',
      run: (ctx) => echoCase(ctx, { send: (c) => c.send(fragments(OP.text, Buffer.alloc(65536, '*'), 1300)), expect: [ANSWER()] }),
    },
  ],
};

// Autobahn's PerMessageDeflateOffer as it writes it: by default the client
// accepts no context takeover and a smaller window for its own side.
const offer = ({ noContextTakeover = false, maxWindowBits = 0 } = {}) =>
  'permessage-deflate; client_no_context_takeover; client_max_window_bits' +
  (noContextTakeover ? '; server_no_context_takeover' : '') +
  (maxWindowBits ? `; server_max_window_bits=${maxWindowBits}` : '');

// Autobahn's 13.1 to 13.7 (the client's offers; the server's side of each
// is moot, it accepts none).
const OFFERS = [
  offer(),
  offer({ noContextTakeover: true }),
  offer({ maxWindowBits: 9 }),
  offer({ maxWindowBits: 15 }),
  offer({ noContextTakeover: true, maxWindowBits: 9 }),
  offer({ noContextTakeover: true, maxWindowBits: 15 }),
  [offer({ noContextTakeover: true, maxWindowBits: 9 }), offer({ noContextTakeover: true }), offer()].join(', '),
];

const SIZES = [16, 64, 256, 1024, 4096, 8192, 16384, 32768, 65536];
const JSONISH = Buffer.from('{"name":"conformance","values":[1,2,3,4,5],"nested":{"ok":true,"text":"lorem ipsum"}}');

// Connects offering `extensions`; fails unless the 101 has no
// Sec-WebSocket-Extensions.
async function declined(ctx, extensions) {
  const c = await ctx.open({ headers: { 'Sec-WebSocket-Extensions': extensions } });
  const accepted = c.response.headers['sec-websocket-extensions'];
  return { c, problem: accepted === undefined ? null : failed(`the 101 accepted "Sec-WebSocket-Extensions: ${accepted}"`) };
}

// Sends `count` messages of each size given, one write each, and expects
// one answer each, in order, then a clean close.
async function traffic(c, messages) {
  const expect = [];
  const frames = [];
  for (const m of messages) {
    frames.push(frame({ opcode: m.opcode, payload: m.bytes }));
    expect.push(ANSWER(m.requestId));
  }
  await c.send(frames);
  await c.until(() => c.significant(c.mark).length >= expect.length || c.closeFrame || c.over, 5000);
  const got = c.significant(c.mark).map((e) => (e.kind === 'answer' && e.code === 9 ? `answer#${e.requestId}` : e.kind));
  const wrong = got.findIndex((g, i) => g !== expect[i]);
  if (got.length < expect.length || wrong >= 0)
    return failed(`expected ${expect.length} answers in order, got ${got.length}${wrong >= 0 ? `; #${wrong + 1} was ${got[wrong]}` : ''}`);
  return closeClean(c);
}

const textMessage = (length) => ({ opcode: OP.text, bytes: Buffer.alloc(length, JSONISH), requestId: 0 });
const binMessage = (length, id) => ({ opcode: OP.binary, ...binaryMessage(length, id) });

const sizesCase = (id, opcode, length) => ({
  id,
  title: `default permessage-deflate offer declined; 10 ${opcode === OP.text ? 'text' : 'binary'} messages of ${length} bytes, uncompressed`,
  run: async (ctx) => {
    const { c, problem } = await declined(ctx, OFFERS[0]);
    if (problem) return problem;
    const messages = Array.from({ length: 10 }, (_, i) => (opcode === OP.text ? textMessage(length) : binMessage(length, 1200 + i)));
    return traffic(c, messages);
  },
});

// After a declined offer, a compressed message (RSV1 set, deflated payload).
const compressedCase = (id, title, extensions, opcode) => ({
  id,
  title,
  run: async (ctx) => {
    const { c, problem } = await declined(ctx, extensions);
    if (problem) return problem;
    const payload = deflateRawSync(opcode === OP.text ? Buffer.from('Hello, world! '.repeat(20)) : binaryMessage(200, 77).bytes);
    await c.send(frame({ opcode, payload, rsv: 1 }));
    await c.until(() => c.closeFrame || c.over, 2000);
    return judgeFailure(c, { codes: 1002 });
  },
});

export const deflateDefault = {
  group: '12',
  title: 'WebSocket Compression, declined (different payloads)',
  cases: [
    ...SIZES.map((n, i) => sizesCase(`12.1.${i + 1}`, OP.text, n)),
    ...SIZES.map((n, i) => sizesCase(`12.2.${i + 1}`, OP.binary, n)),
    {
      id: '12.3.1',
      title: 'bare "permessage-deflate" offer (no parameters) declined; text and binary messages uncompressed',
      run: async (ctx) => {
        const { c, problem } = await declined(ctx, 'permessage-deflate');
        if (problem) return problem;
        return traffic(c, [textMessage(300), binMessage(300, 31), textMessage(16), binMessage(16, 32)]);
      },
    },
    {
      id: '12.3.2',
      title: "the ws package's own permessage-deflate offer declined; messages uncompressed",
      run: async (ctx) => {
        const client = await WsClient.open(ctx, { perMessageDeflate: true });
        if (client.ws.extensions !== '') return failed(`ws negotiated "${client.ws.extensions}"`);
        const offered = client.upgrade?.req?.getHeader?.('sec-websocket-extensions');
        await client.send(Buffer.alloc(4096, 'a'), false);
        await client.send(binaryMessage(4096, 41).bytes, true);
        if (!(await client.waitAnswers(2))) return failed('not both messages answered within 5 s');
        const [a, b] = client.answers;
        if (a.code !== 9 || a.requestId !== 0 || b.code !== 9 || b.requestId !== 41)
          return failed(`answers ${JSON.stringify(client.answers)}, expected MALFORMED #0 and #41`);
        const closing = await client.close();
        return closing ? failed(closing) : ok(offered ? `ws offered "${offered}"` : '');
      },
    },
    compressedCase('12.4.1', 'offer declined, then a compressed (RSV1) text message: fail (1002)', OFFERS[0], OP.text),
    compressedCase('12.4.2', 'offer declined, then a compressed (RSV1) binary message: fail (1002)', OFFERS[0], OP.binary),
  ],
};

export const deflateParameters = {
  group: '13',
  title: 'WebSocket Compression, declined (different parameters)',
  cases: OFFERS.flatMap((extensions, i) => [
    {
      id: `13.${i + 1}.1`,
      title: `offer "${extensions}" declined; text and binary messages of 16 bytes to 64 KiB, uncompressed`,
      run: async (ctx) => {
        const { c, problem } = await declined(ctx, extensions);
        if (problem) return problem;
        return traffic(c, SIZES.flatMap((n, k) => [textMessage(n), binMessage(n, 1300 + k)]));
      },
    },
    compressedCase(`13.${i + 1}.2`, `offer "${extensions}" declined, then a compressed (RSV1) text message: fail (1002)`, extensions, OP.text),
  ]),
};
