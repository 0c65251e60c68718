// 6.x UTF-8: valid text is answered, invalid text fails the connection with
// 1007, whole or in fragments cut inside code points, and as soon as the
// bytes so far cannot begin valid UTF-8 (6.4.x: failing only at the end of
// the message is NON-STRICT).
//
// 6f (ours, not Autobahn's): every sequence of 6.5 to 6.23 again as one
// fragment per byte and an empty final fragment, so that every byte
// boundary is a fragment boundary. Valid ones must be answered; an invalid
// one must be failed with 1007 before the fragment after its first
// impossible byte goes out (OK), or at least by the end of the message
// (NON-STRICT); one that is only cut short (a sequence missing its last
// bytes) can only be failed at the end, and must not be failed before.
import { OP, cont, fragments, frameHeader, text } from '../lib/frames.mjs';
import { ANSWER, CLOSE_WITHIN, echoCase, failCase, failed, judgeFailure, nonStrict, OK } from '../lib/harness.mjs';
import { KOSME, failPoint, utf8Groups } from '../lib/utf8.mjs';

const utf8 = (s) => Buffer.from(s, 'utf8');
const HELLO = utf8('Hello-µ@ßöäüàá-UTF-8!!');
const INVALID = Buffer.concat([KOSME, Buffer.from('eda080', 'hex'), utf8('edited')]); // Surrogate at byte 12.
const TOO_HIGH = Buffer.concat([KOSME, Buffer.from('f4908080', 'hex'), utf8('edited')]); // U+110000 at byte 12.

// How long 6f waits for a fail-fast close before sending the rest.
const FAIL_FAST_WINDOW = 500;

const answered = (id, title, frames) => ({
  id,
  title,
  run: (ctx) => echoCase(ctx, { send: (c) => c.send(frames), expect: [ANSWER()] }),
});

const refused = (id, title, frames) => ({
  id,
  title,
  run: (ctx) => failCase(ctx, { send: (c) => c.send(frames), codes: 1007 }),
});

// Autobahn 6.4.x: part one (valid), a second; part two (makes it invalid),
// up to a second for the close; then part three. Closing after part two is
// OK, only after part three NON-STRICT, before part two FAILED.
function failFast(id, title, sendParts) {
  return {
    id,
    title,
    timeout: 8000,
    run: async (ctx) => {
      const c = await ctx.open();
      const [first, second, third] = sendParts;
      await first(c);
      await c.until(() => c.closeFrame || c.over, 1000);
      if (c.closeFrame || c.over) return failed(`closed while the text so far was still valid UTF-8 (after part 1): ${describeEnd(c)}`);
      await second(c);
      await c.until(() => c.closeFrame || c.over, 1000);
      if (c.closeFrame || c.over) return judgeFailure(c, { codes: 1007 });
      await third(c);
      await c.until(() => c.closeFrame || c.over, CLOSE_WITHIN);
      const late = await judgeFailure(c, { codes: 1007 });
      if (late.verdict !== OK) return late;
      return nonStrict('failed with 1007 only after the rest of the message, not as soon as part 2 made it invalid');
    },
  };
}

function describeEnd(c) {
  return c.closeFrame ? `close(${c.closeFrame.code})` : 'the connection ended';
}

// 6.4.1/6.4.2: three fragments.
const inFragments = (parts) => [
  (c) => c.send(text(parts[0], { fin: false })),
  (c) => c.send(cont(parts[1], { fin: false })),
  (c) => c.send(cont(parts[2])),
];

// 6.4.3/6.4.4: one frame, its payload in three writes.
const inChops = (parts) => {
  const whole = Buffer.concat(parts);
  const { header, maskFrom } = frameHeader({ opcode: OP.text, length: whole.length });
  const offsets = [0, parts[0].length, parts[0].length + parts[1].length];
  return parts.map((part, i) => (c) => c.send(i === 0 ? Buffer.concat([header, maskFrom(part, 0)]) : maskFrom(part, offsets[i])));
};

const split3 = (bytes, a, b) => [bytes.subarray(0, a), bytes.subarray(a, b), bytes.subarray(b)];

function wholeCase(group, i, { valid, bytes }) {
  const id = `${group}.${i + 1}`;
  const title = `${valid ? 'valid' : 'invalid'} UTF-8 in one fragment: 0x${bytes.toString('hex')}`;
  return valid ? answered(id, title, text(bytes)) : refused(id, title, text(bytes));
}

function fragmentedCase(group, i, { valid, bytes }) {
  const id = `${group}.${i + 1}f`;
  const frames = fragments(OP.text, bytes, 1, { emptyFinal: true });
  const point = failPoint(bytes);
  const title = `${valid ? 'valid' : 'invalid'} UTF-8 in 1-byte fragments: 0x${bytes.toString('hex')}`;
  if (point === -1) return { id, title, run: (ctx) => echoCase(ctx, { send: (c) => c.send(frames), expect: [ANSWER()] }) };
  if (point === bytes.length) {
    // Cut short: only the end of the message makes it invalid.
    return {
      id,
      title: `${title} (invalid only at its end)`,
      run: async (ctx) => {
        const c = await ctx.open();
        await c.send(frames.slice(0, -1));
        await c.until(() => c.closeFrame || c.over, 20);
        if (c.closeFrame || c.over)
          return failed(`${describeEnd(c)} before the final fragment, while more bytes could still have made the text valid`);
        await c.send(frames.at(-1));
        await c.until(() => c.closeFrame || c.over, CLOSE_WITHIN);
        return judgeFailure(c, { codes: 1007 });
      },
    };
  }
  return {
    id,
    title: `${title} (impossible from byte ${point + 1} of ${bytes.length})`,
    run: async (ctx) => {
      const c = await ctx.open();
      await c.send(frames.slice(0, point + 1));
      await c.until(() => c.closeFrame || c.over, FAIL_FAST_WINDOW);
      if (c.closeFrame || c.over) return judgeFailure(c, { codes: 1007 });
      await c.send(frames.slice(point + 1));
      await c.until(() => c.closeFrame || c.over, CLOSE_WITHIN);
      const late = await judgeFailure(c, { codes: 1007 });
      if (late.verdict !== OK) return late;
      return nonStrict(
        `failed with 1007 only after more fragments, not within ${FAIL_FAST_WINDOW} ms of the fragment holding byte ${point + 1}, which no continuation could make valid`,
      );
    },
  };
}

const groups = utf8Groups();

export const utf8Cases = {
  group: '6',
  title: 'UTF-8 Handling',
  cases: [
    answered('6.1.1', 'text message of length 0', text('')),
    answered('6.1.2', 'text message in 3 fragments, each of length 0', [text('', { fin: false }), cont('', { fin: false }), cont('')]),
    answered('6.1.3', 'text message in 3 fragments, first and last of length 0', [
      text('', { fin: false }),
      cont('middle frame payload', { fin: false }),
      cont(''),
    ]),
    answered('6.2.1', 'valid UTF-8 text message in one fragment', text(HELLO)),
    answered('6.2.2', 'valid UTF-8 text message in 2 fragments, cut on a code point boundary', [
      text(utf8('Hello-µ@ßöä'), { fin: false }),
      cont(utf8('üàá-UTF-8!!')),
    ]),
    answered('6.2.3', 'valid UTF-8 text message in 1-byte fragments, cut inside code points', fragments(OP.text, HELLO, 1)),
    answered('6.2.4', 'valid UTF-8 text message (κόσμε) in 1-byte fragments, cut inside code points', fragments(OP.text, KOSME, 1)),
    refused('6.3.1', 'invalid UTF-8 text message in one fragment', text(INVALID)),
    refused('6.3.2', 'invalid UTF-8 text message in 1-byte fragments', fragments(OP.text, INVALID, 1)),
    failFast('6.4.1', 'invalid UTF-8 in 3 fragments, paused: part 2 (f4908080, past U+10FFFF) makes it invalid', inFragments([KOSME, TOO_HIGH.subarray(11, 15), TOO_HIGH.subarray(15)])),
    failFast('6.4.2', 'as 6.4.1, part 2 only the byte that makes it invalid (0x90 after 0xf4)', inFragments(split3(TOO_HIGH, 12, 13))),
    failFast('6.4.3', 'as 6.4.1, but the 3 parts are chops of one frame', inChops([KOSME, TOO_HIGH.subarray(11, 15), TOO_HIGH.subarray(15)])),
    failFast('6.4.4', 'as 6.4.2, but the 3 parts are chops of one frame', inChops(split3(TOO_HIGH, 12, 13))),
    ...groups.flatMap(({ group, sequences }) => sequences.map((s, i) => wholeCase(group, i, s))),
  ],
};

export const utf8Fragmented = {
  group: '6f',
  title: 'UTF-8 in 1-byte fragments, fail fast (ours)',
  cases: groups.flatMap(({ group, sequences }) => sequences.map((s, i) => fragmentedCase(group, i, s))),
};
