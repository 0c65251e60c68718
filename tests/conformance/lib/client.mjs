// A WebSocket client on a raw TCP socket: our own handshake, our own frames
// (lib/frames.mjs), every byte and every write under the case's control, and
// a log of everything the server did, in order, with times.
//
// What the server sends is sorted into events:
//   answer    a CommandResult (the "echo": one per data message we send)
//   pong      a pong, with its payload
//   close     the server's close frame (code null when it had no payload)
//   end       the server closed its side of TCP (a FIN)
//   reset     the connection broke (ECONNRESET, EPIPE...)
//   text, binary-other, goodbye, violation: things a case does not expect
// and background (Welcome, SessionState, events, the server's keep-alive
// pings), which no case counts.
import net from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setImmediate as immediate, setTimeout as sleep } from 'node:timers/promises';

import { FrameParser, OP, close as closeFrame } from './frames.mjs';
import { decodeServerMessage } from './wire.mjs';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export class HandshakeError extends Error {}

export class RawConnection {
  // Connects and upgrades. `path` is the request target; `headers` are sent
  // as given after the usual ones. Resolves once the 101 is read (throws a
  // HandshakeError on anything else), before the Welcome.
  static open({ port, path, headers = {}, timeout = 5000 }) {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
      socket.setNoDelay(true);
      const key = randomBytes(16).toString('base64');
      let head = Buffer.alloc(0);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new HandshakeError(`no answer to the upgrade within ${timeout} ms`));
      }, timeout);
      const fail = (error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      };
      socket.once('error', fail);
      socket.once('connect', () => {
        const lines = [
          `GET ${path} HTTP/1.1`,
          `Host: 127.0.0.1:${port}`,
          'Upgrade: websocket',
          'Connection: Upgrade',
          `Sec-WebSocket-Key: ${key}`,
          'Sec-WebSocket-Version: 13',
          ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
        ];
        socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      });
      const onData = (chunk) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        clearTimeout(timer);
        socket.off('data', onData);
        socket.off('error', fail);
        const [statusLine, ...headerLines] = head.subarray(0, end).toString('latin1').split('\r\n');
        const response = { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? 0), statusLine, headers: {} };
        for (const line of headerLines) {
          const colon = line.indexOf(':');
          if (colon > 0) response.headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        }
        const rest = head.subarray(end + 4);
        if (response.status !== 101) {
          socket.destroy();
          return reject(new HandshakeError(`upgrade answered "${statusLine}": ${rest.toString('utf8').slice(0, 200)}`));
        }
        const accept = createHash('sha1').update(key + GUID).digest('base64');
        const problems = [];
        if (response.headers['sec-websocket-accept'] !== accept) problems.push('a wrong Sec-WebSocket-Accept');
        if (!/^websocket$/i.test(response.headers.upgrade ?? '')) problems.push('no "Upgrade: websocket"');
        if (!/\bupgrade\b/i.test(response.headers.connection ?? '')) problems.push('no "Connection: Upgrade"');
        if (problems.length) {
          socket.destroy();
          return reject(new HandshakeError(`the 101 has ${problems.join(', ')}`));
        }
        resolve(new RawConnection(socket, response, rest));
      };
      socket.on('data', onData);
    });
  }

  constructor(socket, response, rest) {
    this.socket = socket;
    this.response = response;
    this.parser = new FrameParser();
    this.events = [];
    this.started = performance.now();
    this.closeSent = false;
    this.closeFrame = null; // The server's close event, once it came.
    this.ended = false; // The server's FIN came.
    this.broken = null; // The socket's error, if any.
    this.gone = false; // The socket is closed both ways.
    this.waiters = new Set();
    this.message = null; // A server message arriving in fragments.
    socket.on('data', (chunk) => this.received(chunk));
    socket.on('end', () => {
      this.ended = true;
      this.record({ kind: 'end' });
      // Our side too, if a close already went (else the case decides).
      if (this.closeSent && !socket.writableEnded) socket.end();
    });
    socket.on('error', (error) => {
      this.broken = error;
      this.record({ kind: 'reset', error: error.code ?? error.message });
    });
    socket.on('close', () => {
      this.gone = true;
      this.wake();
    });
    if (rest.length) this.received(rest);
  }

  now() {
    return performance.now() - this.started;
  }

  record(event) {
    event.at = this.now();
    this.events.push(event);
    this.wake();
  }

  wake() {
    for (const w of this.waiters) w();
  }

  received(chunk) {
    for (const f of this.parser.push(chunk)) {
      if (f.violation) {
        this.record({ kind: 'violation', what: f.violation, opcode: f.opcode });
        if (f.opcode !== OP.close) continue;
      }
      switch (f.opcode) {
        case OP.ping:
          this.record({ kind: 'background', what: 'ping' });
          break;
        case OP.pong:
          this.record({ kind: 'pong', payload: f.payload });
          break;
        case OP.close:
          this.closeFrame = { kind: 'close', code: f.code ?? null, reason: f.reason ?? '' };
          this.record(this.closeFrame);
          // RFC 6455 section 5.5.1: answer a close with a close, then end.
          if (!this.closeSent) {
            this.closeSent = true;
            this.socket.write(f.code ? closeFrame(f.code) : closeFrame());
          }
          if (!this.socket.writableEnded) this.socket.end();
          break;
        case OP.text:
        case OP.binary:
          if (!f.fin) {
            this.message = { opcode: f.opcode, parts: [f.payload] };
            break;
          }
          this.deliver(f.opcode, f.payload);
          break;
        case OP.continuation:
          if (!this.message) break; // Already recorded as a violation.
          this.message.parts.push(f.payload);
          if (f.fin) {
            const { opcode, parts } = this.message;
            this.message = null;
            this.deliver(opcode, Buffer.concat(parts));
          }
          break;
        default:
          break;
      }
    }
  }

  deliver(opcode, payload) {
    if (opcode === OP.text) return this.record({ kind: 'text', payload });
    const message = decodeServerMessage(payload);
    if (message.body === 'result') return this.record({ kind: 'answer', code: message.code, requestId: message.requestId });
    if (message.body === 'goodbye') return this.record({ kind: 'goodbye' });
    if (message.body === 'undecodable' || message.body === 'none')
      return this.record({ kind: 'binary-other', what: message.error ?? 'no body', length: payload.length });
    this.record({ kind: 'background', what: message.body });
  }

  // The events a case looks at (all but the background), from `from` on.
  significant(from = 0) {
    return this.events.slice(from).filter((e) => e.kind !== 'background');
  }

  // True once the server can send nothing more.
  get over() {
    return this.ended || this.broken !== null || this.gone;
  }

  // Resolves true once `pred()` holds, false after `timeout` ms.
  until(pred, timeout) {
    if (pred()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (value) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(value);
      };
      const check = () => {
        if (pred()) done(true);
      };
      const timer = setTimeout(() => done(false), timeout);
      this.waiters.add(check);
    });
  }

  // Waits for the Welcome and SessionState that open every connection.
  async ready(timeout = 5000) {
    const got = await this.until(() => this.events.some((e) => e.what === 'state') || this.closeFrame || this.over, timeout);
    if (!got) throw new Error(`no SessionState within ${timeout} ms of the upgrade`);
    if (this.closeFrame) throw new Error(`closed before the SessionState: ${this.closeFrame.code} ${this.closeFrame.reason}`);
    if (this.over) throw new Error('the connection ended before the SessionState');
    this.mark = this.events.length;
    return this;
  }

  // Writes bytes; resolves once they are handed to the kernel (false if the
  // socket could not take them any more).
  write(bytes) {
    if (this.socket.destroyed || this.socket.writableEnded) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.socket.write(bytes, (error) => resolve(!error));
    });
  }

  // Sends frames: `whole` in one write, `frames` one write per frame (a
  // short pause after each, Autobahn's "frame-wise chops"), `chops` the
  // bytes in writes of `chop` bytes (Autobahn's "chopsize"). Stops once the
  // server closed.
  async send(frames, { mode = 'whole', chop = 1, gap } = {}) {
    const list = Array.isArray(frames) ? frames : [frames];
    if (mode === 'whole') return this.write(Buffer.concat(list));
    if (mode === 'frames') {
      for (const f of list) {
        if (this.closeFrame || this.over) return false;
        if (!(await this.write(f))) return false;
        await pause(gap ?? 2);
      }
      return true;
    }
    const bytes = Buffer.concat(list);
    for (let at = 0; at < bytes.length; at += chop) {
      if (this.closeFrame || this.over) return false;
      if (!(await this.write(bytes.subarray(at, at + chop)))) return false;
      await pause(gap ?? (chop < 64 ? 1 : 0));
    }
    return true;
  }

  // Our close (unless it went already), then the server's answer and its
  // FIN: { close, ended, reset, extra } where `extra` lists the events from
  // event `from` (by default: now) on, but for those.
  async closeHandshake(code = 1000, reason = '', { timeout = 2000, from = this.events.length } = {}) {
    if (!this.closeSent) {
      this.closeSent = true;
      await this.write(code === null ? closeFrame() : closeFrame(code, reason));
    }
    await this.until(() => this.closeFrame || this.over, timeout);
    await this.until(() => this.ended || this.broken || this.gone, timeout);
    if (this.ended && !this.socket.writableEnded) this.socket.end();
    const extra = this.significant(from).filter((e) => e.kind !== 'close' && e.kind !== 'end' && e.kind !== 'reset');
    return { close: this.closeFrame, ended: this.ended, reset: this.broken, extra };
  }

  destroy() {
    this.socket.destroy();
  }
}

function pause(ms) {
  return ms > 0 ? sleep(ms) : immediate();
}

// Short descriptions of events, for comparing what came with what was
// expected and for the report.
export function describe(e) {
  switch (e.kind) {
    case 'answer':
      return e.code === 9 ? `answer#${e.requestId}` : `answer#${e.requestId}(code ${e.code}, not MALFORMED)`;
    case 'pong':
      return `pong(${payloadText(e.payload)})`;
    case 'close':
      return e.code === null ? 'close(no code)' : `close(${e.code}${e.reason ? ` "${e.reason}"` : ''})`;
    case 'text':
      return `text message(${e.payload.length} bytes)`;
    case 'binary-other':
      return `binary message that is no ServerMessage (${e.what})`;
    case 'violation':
      return `a bad frame from the server: ${e.what}`;
    case 'reset':
      return `reset (${e.error})`;
    default:
      return e.kind;
  }
}

export function payloadText(bytes) {
  const b = Buffer.from(bytes);
  if (b.length <= 24) return b.every((x) => x >= 0x20 && x < 0x7f) ? JSON.stringify(b.toString('latin1')) : `0x${b.toString('hex')}`;
  return `${b.length} bytes, sha1 ${createHash('sha1').update(b).digest('hex').slice(0, 12)}`;
}
