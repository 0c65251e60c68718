// Contract tests for the benchmark peers (c-relay and node-relay).
// Run: (cd tests/bench/peers/node-relay && npm ci) && node --test tests/bench/peers/peers.test.mjs
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes, createHash } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';

const here = path.dirname(fileURLToPath(import.meta.url));
// The client is the same `ws` the node peer pins, so this needs no deps of its own.
const WebSocket = createRequire(path.join(here, 'node-relay', 'package.json'))('ws');

const MEDIA = 0x01;
const STATE = 0x02;
const TIMEOUT = 5000;

// ---------------------------------------------------------------- helpers

function startPeer(cmd, args) {
  const child = spawn(cmd, [...args, '--port', '0', '--bind', '127.0.0.1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`peer did not start: ${stderr}`)), 10000);
    child.once('exit', (code) => reject(new Error(`peer exited early (${code}): ${stderr}`)));
    child.stdout.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      const m = /^listening on (\d+)$/.exec(out.slice(0, nl));
      if (!m) reject(new Error(`unexpected first line: ${JSON.stringify(out.slice(0, nl))}`));
      else resolve({ child, port: Number(m[1]), stderr: () => stderr });
    });
  });
}

function connect(port, room, query = '') {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?${query}room=${room}`, {
    perMessageDeflate: false,
  });
  const c = { ws, msgs: [], wake: new Set() };
  ws.on('message', (data, isBinary) => {
    c.msgs.push({ data, isBinary });
    for (const w of c.wake) w();
  });
  // Keep a listener for the whole life of the client: a later protocol error
  // must fail the test that caused it, not crash the runner.
  ws.on('error', (err) => (c.error = err));
  return withTimeout(
    new Promise((resolve, reject) => {
      ws.once('open', () => resolve(c));
      ws.once('error', reject);
    }),
    `connect to room ${room}`,
  );
}

function withTimeout(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), TIMEOUT);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Resolves once pred(c.msgs) holds; fails after TIMEOUT.
function waitFor(c, pred, what) {
  if (pred(c.msgs)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      c.wake.delete(check);
      reject(new Error(`timed out waiting for ${what}`));
    }, TIMEOUT);
    function check() {
      if (!pred(c.msgs)) return;
      clearTimeout(timer);
      c.wake.delete(check);
      resolve();
    }
    c.wake.add(check);
  });
}

const has = (token) => (msgs) => msgs.some((m) => m.data.equals(token));

// Barrier: a STATE marker from roomA[0] reaches all of room A after anything
// it sent before; then each room-B client's own marker goes through the
// (single-threaded) relay after that. So whatever was going to arrive has
// arrived. Returns, per client, the messages before its marker, and clears.
async function settle(roomA, roomB) {
  const clients = [...roomA, ...roomB];
  const markers = new Map();
  const tokA = Buffer.concat([Buffer.from([STATE]), randomBytes(12)]);
  roomA[0].ws.send(tokA);
  for (const c of roomA) markers.set(c, tokA);
  await Promise.all(roomA.map((c) => waitFor(c, has(tokA), 'room A marker')));
  for (const b of roomB) {
    const tok = Buffer.concat([Buffer.from([STATE]), randomBytes(12)]);
    markers.set(b, tok);
    b.ws.send(tok);
    await waitFor(b, has(tok), 'room B marker');
  }
  return clients.map((c) => {
    const i = c.msgs.findIndex((m) => m.data.equals(markers.get(c)));
    const before = c.msgs.slice(0, i);
    c.msgs = c.msgs.slice(i + 1);
    return before.map((m) => m.data);
  });
}

function refusedStatus(port, urlPath) {
  const p = new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${urlPath}`);
    ws.on('unexpected-response', (req, res) => {
      resolve(res.statusCode);
      req.destroy();
    });
    ws.on('open', () => reject(new Error(`${urlPath} was accepted`)));
    ws.on('error', () => {});
  });
  return withTimeout(p, `refusal of ${urlPath}`);
}

function closeCode(c) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no close')), TIMEOUT);
    c.ws.once('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

// Raw TCP client, to look at the exact bytes the relay writes.
async function rawConnect(port, room) {
  const sock = net.connect(port, '127.0.0.1');
  await once(sock, 'connect');
  const key = 'dGhlIHNhbXBsZSBub25jZQ==';
  sock.write(
    `GET /ws?room=${room} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n` +
      `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  let buf = Buffer.alloc(0);
  const waiters = new Set();
  sock.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    for (const w of waiters) w();
  });
  const read = (n) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`raw read of ${n} timed out`)), TIMEOUT);
      const check = () => {
        if (buf.length < n) return;
        clearTimeout(timer);
        waiters.delete(check);
        const out = buf.subarray(0, n);
        buf = buf.subarray(n);
        resolve(out);
      };
      waiters.add(check);
      check();
    });
  const head = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no handshake reply')), TIMEOUT);
    const check = () => {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      clearTimeout(timer);
      waiters.delete(check);
      const h = buf.subarray(0, end).toString('latin1');
      buf = buf.subarray(end + 4);
      resolve(h);
    };
    waiters.add(check);
    check();
  });
  return { sock, head, read };
}

function maskedFrame(opcode, payload) {
  const len = payload.length;
  const ext = len < 126 ? [len] : len < 65536 ? [126, len >> 8, len & 255] : null;
  let header;
  if (ext) header = Buffer.from([0x80 | opcode, 0x80 | ext[0], ...ext.slice(1)]);
  else {
    header = Buffer.alloc(10);
    header[0] = 0x80 | opcode;
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(len), 2);
  }
  const mask = randomBytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < len; i++) body[i] ^= mask[i & 3];
  return Buffer.concat([header, mask, body]);
}

// ------------------------------------------------------------------ peers

const buildDir = mkdtempSync(path.join(tmpdir(), 'c-relay-'));
process.on('exit', () => rmSync(buildDir, { recursive: true, force: true }));

const peers = [
  {
    name: 'c-relay',
    prepare() {
      const bin = path.join(buildDir, 'relay');
      const src = path.join(here, 'c-relay', 'relay.c');
      const r = spawnSync('cc', ['-O2', '-Wall', '-Wextra', '-o', bin, src], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`cc failed:\n${r.stderr}`);
      return { cmd: bin, args: [], buildOutput: r.stderr };
    },
  },
  {
    name: 'node-relay',
    prepare() {
      return { cmd: process.execPath, args: [path.join(here, 'node-relay', 'relay.mjs')] };
    },
  },
];

for (const peer of peers) {
  describe(peer.name, { timeout: 60000 }, () => {
    let prepared, proc, port, a1, a2, a3, b1;

    before(async () => {
      prepared = peer.prepare();
      proc = await startPeer(prepared.cmd, prepared.args);
      port = proc.port;
      [a1, a2, a3, b1] = await Promise.all([
        connect(port, 'a'),
        connect(port, 'a', 'user=2&'),
        connect(port, 'a'),
        connect(port, 'b'),
      ]);
    });

    after(() => {
      for (const c of [a1, a2, a3, b1]) c?.ws.terminate();
      if (proc && proc.child.exitCode === null) proc.child.kill('SIGKILL');
    });

    if (peer.name === 'c-relay') {
      test('compiles without warnings', () => {
        assert.equal(prepared.buildOutput, '');
      });
      test('--self-test passes (RFC 6455 accept value, SHA-1 vectors)', () => {
        const r = spawnSync(prepared.cmd, ['--self-test'], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stdout + r.stderr);
      });
    }

    test('handshake: 101 with the RFC 6455 accept value', async () => {
      const { sock, head } = await rawConnect(port, 'raw');
      sock.destroy();
      assert.match(head, /^HTTP\/1\.1 101 /);
      const expected = createHash('sha1')
        .update('dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11')
        .digest('base64');
      assert.equal(expected, 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
      assert.match(head, new RegExp(`\\r\\nSec-WebSocket-Accept: ${expected.replace(/[+]/g, '\\+')}(\\r|$)`, 'i'));
    });

    test('media (0x01) reaches the other members of the room only', async () => {
      const msg = Buffer.from([MEDIA, 1, 2, 3]);
      a1.ws.send(msg);
      const [g1, g2, g3, gb] = await settle([a1, a2, a3], [b1]);
      assert.deepEqual(g1, []);
      assert.deepEqual(g2, [msg]);
      assert.deepEqual(g3, [msg]);
      assert.deepEqual(gb, []);
    });

    test('state (0x02) reaches every member, sender included, not other rooms', async () => {
      const msg = Buffer.from([STATE, 9, 8, 7]);
      a2.ws.send(msg);
      const [g1, g2, g3, gb] = await settle([a1, a2, a3], [b1]);
      assert.deepEqual(g1, [msg]);
      assert.deepEqual(g2, [msg]);
      assert.deepEqual(g3, [msg]);
      assert.deepEqual(gb, []);
    });

    test('other first bytes (0x03, 0x00, 0xff) and empty messages reach nobody', async () => {
      for (const m of [[0x03, 1], [0x00], [0xff, 1, 2], []]) a1.ws.send(Buffer.from(m));
      b1.ws.send(Buffer.from([0x03]));
      const got = await settle([a1, a2, a3], [b1]);
      assert.deepEqual(got, [[], [], [], []]);
      assert.equal(a1.ws.readyState, WebSocket.OPEN);
    });

    test('wrong path or missing/bad room is refused with 404/400', async () => {
      const bad = [
        '/nope?room=a',
        '/ws',
        '/ws?room=',
        '/ws?room=bad!id',
        '/ws?user=1',
        `/ws?room=${'x'.repeat(65)}`,
        '/ws/?room=a',
        '/wsx?room=a',
      ];
      for (const p of bad) {
        const status = await refusedStatus(port, p);
        assert.ok(status === 404 || status === 400, `${p} -> ${status}`);
      }
      // Longest valid id, among other params, is accepted.
      const ok = await connect(port, 'A_z-9'.repeat(12) + 'abcd', 'x=1&');
      ok.ws.close();
    });

    test('payloads of 1, 125, 126, 127, 65535, 65536 bytes arrive byte-identical', async () => {
      const sizes = [1, 125, 126, 127, 65535, 65536];
      const sent = sizes.map((n) => {
        const p = randomBytes(n);
        p[0] = MEDIA;
        return p;
      });
      for (const p of sent) a1.ws.send(p);
      await waitFor(a2, (m) => m.length >= sizes.length, 'all sizes');
      const got = a2.msgs.splice(0, sizes.length);
      for (let i = 0; i < sizes.length; i++) {
        assert.equal(got[i].isBinary, true);
        assert.equal(got[i].data.length, sizes[i]);
        assert.ok(got[i].data.equals(sent[i]), `payload of ${sizes[i]} bytes differs`);
      }
      await settle([a1, a2, a3], [b1]);
    });

    test('server frames are unmasked binary FIN frames with minimal length', async () => {
      const r = await rawConnect(port, 'raw2');
      const cases = [
        [125, [0x82, 125]],
        [126, [0x82, 126, 0, 126]],
        [65535, [0x82, 126, 0xff, 0xff]],
        [65536, [0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0]],
      ];
      for (const [n, header] of cases) {
        const p = randomBytes(n);
        p[0] = STATE;
        r.sock.write(maskedFrame(0x2, p));
        assert.deepEqual([...(await r.read(header.length))], header, `header for ${n}`);
        assert.ok((await r.read(n)).equals(p));
      }
      r.sock.destroy();
    });

    test('many messages keep their order', async () => {
      const n = 500;
      for (let i = 0; i < n; i++) a3.ws.send(Buffer.from([MEDIA, i >> 8, i & 255]));
      await waitFor(a1, (m) => m.length >= n, 'ordered messages');
      const got = a1.msgs.splice(0, n).map((m) => (m.data[1] << 8) | m.data[2]);
      assert.deepEqual(got, [...Array(n).keys()]);
      await settle([a1, a2, a3], [b1]);
    });

    test('ping is answered with pong', async () => {
      const pong = once(a1.ws, 'pong');
      a1.ws.ping(Buffer.from('hi'));
      const [data] = await withTimeout(pong, 'pong');
      assert.equal(data.toString(), 'hi');
    });

    test('text frame is closed with 1003', async () => {
      const c = await connect(port, 'z');
      const code = closeCode(c);
      c.ws.send('hello');
      assert.equal(await code, 1003);
    });

    test('message over 64 KiB is closed with 1009', async () => {
      const c = await connect(port, 'z');
      const code = closeCode(c);
      const big = Buffer.alloc(65537, 7);
      big[0] = MEDIA;
      c.ws.send(big);
      assert.equal(await code, 1009);
    });

    test('close is answered with close', async () => {
      const c = await connect(port, 'z');
      const code = closeCode(c);
      c.ws.close(1000, 'bye');
      assert.equal(await code, 1000);
    });

    test('SIGTERM exits with code 0', async () => {
      const exited = once(proc.child, 'exit');
      proc.child.kill('SIGTERM');
      const [code, signal] = await withTimeout(exited, 'exit after SIGTERM');
      assert.equal(signal, null);
      assert.equal(code, 0, proc.stderr());
    });
  });
}
