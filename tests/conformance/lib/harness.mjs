// What every case shares: its verdict (Autobahn's OK / NON-STRICT / FAILED),
// its context (a lane's token, the connections it opened, closed at the end
// whatever happens), and the two shapes most cases take: traffic the server
// must answer before a clean close, and a violation it must fail with a code.
import { performance } from 'node:perf_hooks';

import { RawConnection, describe, payloadText } from './client.mjs';

export const OK = 'OK';
export const NON_STRICT = 'NON-STRICT';
export const FAILED = 'FAILED';

export const ok = (detail = '') => ({ verdict: OK, detail });
export const nonStrict = (detail) => ({ verdict: NON_STRICT, detail });
export const failed = (detail) => ({ verdict: FAILED, detail });

// What an answer or a pong is expected to look like (as `describe` puts it).
export const ANSWER = (requestId = 0) => `answer#${requestId}`;
export const PONG = (payload = '') => `pong(${payloadText(Buffer.from(payload))})`;

// Seconds the server has to send its close frame after the offence, and
// then to close TCP after its close frame.
export const CLOSE_WITHIN = 2000;

export class CaseContext {
  constructor(env, token) {
    this.env = env;
    this.token = token;
    this.connections = [];
    this.sockets = [];
  }

  get port() {
    return this.env.server.port;
  }

  get url() {
    return `ws://127.0.0.1:${this.port}/ws?token=${this.token}`;
  }

  // A raw connection with this lane's token, by default past the Welcome
  // and SessionState.
  async open({ headers = {}, ready = true } = {}) {
    const c = await RawConnection.open({ port: this.port, path: `/ws?token=${this.token}`, headers });
    this.connections.push(c);
    this.sockets.push(c.socket);
    if (ready) await c.ready();
    return c;
  }

  // A socket of the case's own (the `ws` package's), destroyed at the end.
  track(socket) {
    this.sockets.push(socket);
  }

  async cleanup() {
    const gone = this.sockets.map((s) =>
      s.destroyed ? Promise.resolve() : new Promise((resolve) => s.once('close', resolve)),
    );
    for (const s of this.sockets) s.destroy();
    // The server must have seen the close before the lane's next case
    // connects with the same token (which would replace this connection).
    await Promise.race([Promise.all(gone), new Promise((resolve) => setTimeout(resolve, 1000))]);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

// Runs one case on a free lane, within its deadline: { verdict, detail, ms }.
export async function runCase(def, env) {
  const token = await env.lanes.acquire();
  const ctx = new CaseContext(env, token);
  const started = performance.now();
  const deadline = def.timeout ?? 10_000;
  let timer;
  let result;
  try {
    result = await Promise.race([
      def.run(ctx),
      new Promise((resolve) => {
        timer = setTimeout(() => resolve(failed(`the case did not finish within ${deadline / 1000} s`)), deadline);
      }),
    ]);
  } catch (error) {
    result = failed(`${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`);
  } finally {
    clearTimeout(timer);
    await ctx.cleanup();
    env.lanes.release(token);
  }
  return { ...result, ms: Math.round(performance.now() - started) };
}

const list = (events) => (events.length ? events.map(describe).join(', ') : 'nothing');

function sameList(got, expected) {
  return got.length === expected.length && got.every((g, i) => g === expected[i]);
}

// How a connection ended, for a verdict's reason.
function ending(c) {
  if (c.closeFrame) return `the server closed with ${describe(c.closeFrame)}`;
  if (c.broken) return `the connection was reset (${c.broken.code ?? c.broken.message})`;
  if (c.ended || c.gone) return 'the server closed TCP without a close frame';
  return 'the connection is still open';
}

// Waits for the answers `expected` (ANSWER(...) and PONG(...) strings) to the
// traffic `send(c)` puts on a fresh connection, then closes with `code`
// (and `reason`) and expects that code back (`expectCode`: a code, null for
// an empty close, or a list of either), then the server's FIN.
export async function echoCase(ctx, { send, expect = [], code = 1000, reason = '', expectCode = code, timeout = 5000 }) {
  const c = await ctx.open();
  await send(c);
  await c.until(() => c.significant(c.mark).length >= expect.length || c.closeFrame || c.over, timeout);
  const got = c.significant(c.mark);
  const described = got.slice(0, expect.length).map(describe);
  if (!sameList(described, expect)) {
    const why = c.closeFrame || c.over ? `; ${ending(c)}` : got.length < expect.length ? ` (within ${timeout / 1000} s)` : '';
    return failed(`expected ${expect.join(', ') || 'nothing'}, got ${list(got)}${why}`);
  }
  // More than expected, already here (what comes later shows in closeClean).
  if (got.length > expect.length) return failed(`expected ${expect.join(', ') || 'nothing'}, got ${list(got)}`);
  return closeClean(c, { code, reason, expectCode });
}

// Our close, the server's echo and its FIN, nothing else in between (nor
// anything from event `from` on, if given).
export async function closeClean(c, { code = 1000, reason = '', expectCode = code, from } = {}) {
  const r = await c.closeHandshake(code, reason, { timeout: CLOSE_WITHIN, from });
  const wanted = [].concat(expectCode);
  const want = wanted.map((w) => (w === null ? 'close(no code)' : `close(${w})`)).join(' or ');
  if (r.extra.length) return failed(`unexpected ${list(r.extra)} before the close handshake ended`);
  if (!r.close) return failed(`${want} expected in answer to our close, but ${ending(c)}`);
  if (!wanted.includes(r.close.code)) return failed(`${want} expected in answer to our close, got ${describe(r.close)}`);
  if (!r.ended) {
    return failed(
      r.reset
        ? `the connection was reset (${r.reset.code}) instead of closed after the close handshake`
        : `the server did not close TCP within ${CLOSE_WITHIN / 1000} s of the close handshake`,
    );
  }
  return ok();
}

// Sends `send(c)` on a fresh connection and expects the server to fail the
// connection: a close frame with one of `codes` within CLOSE_WITHIN ms, the
// events before it exactly `before` (OK) or `nonStrictBefore` (NON-STRICT,
// Autobahn's "failed, but later than it could have"), then its FIN (a
// reset instead makes an OK case NON-STRICT).
export async function failCase(ctx, { send, codes, before = [], nonStrictBefore, policy }) {
  const c = await ctx.open();
  await send(c);
  await c.until(() => c.closeFrame || c.over, CLOSE_WITHIN);
  return judgeFailure(c, { codes, before, nonStrictBefore, policy });
}

export async function judgeFailure(c, { codes, before = [], nonStrictBefore, policy }) {
  const wanted = [].concat(codes);
  const events = c.significant(c.mark);
  const closeAt = events.findIndex((e) => e.kind === 'close');
  if (closeAt < 0) {
    return failed(
      `expected close(${wanted.join(' or ')}), but ${c.over ? ending(c) : `nothing within ${CLOSE_WITHIN / 1000} s`}` +
        (events.length ? ` (got ${list(events)})` : ''),
    );
  }
  const close = events[closeAt];
  if (!wanted.includes(close.code)) return failed(`expected close(${wanted.join(' or ')}), got ${describe(close)}`);
  await c.until(() => c.ended || c.broken || c.gone, CLOSE_WITHIN);
  if (!(c.ended || c.broken || c.gone))
    return failed(`the server sent ${describe(close)} but did not close TCP within ${CLOSE_WITHIN / 1000} s`);
  const prior = events.slice(0, closeAt);
  const after = c.significant(c.mark).slice(closeAt + 1).filter((e) => e.kind !== 'end' && e.kind !== 'reset');
  if (after.length) return failed(`the server sent ${list(after)} after its ${describe(close)}`);
  const priorText = prior.map(describe);
  let verdict;
  if (sameList(priorText, before)) verdict = ok(policy ?? '');
  else if (nonStrictBefore && sameList(priorText, nonStrictBefore))
    verdict = nonStrict(`got ${list(prior)} before ${describe(close)}; expected ${before.join(', ') || 'nothing'}`);
  else return failed(`expected ${before.join(', ') || 'nothing'} before ${describe(close)}, got ${list(prior)}`);
  // Autobahn does not ask for a clean TCP close after a failure; we do ask
  // for a FIN: a reset can overtake the close frame on its way.
  if (c.broken && !c.ended) {
    const reset = `the server reset TCP (${c.broken.code ?? c.broken.message}) after its ${describe(close)} instead of closing it`;
    return nonStrict([verdict.detail, reset].filter(Boolean).join('; '));
  }
  return verdict;
}
