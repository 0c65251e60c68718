// relay.mjs - a minimal room relay on the `ws` package, used as a benchmark
// peer. Same contract as ../c-relay/relay.c:
//   GET /ws?room=<id>  -> WebSocket upgrade; anything else -> 404
//   binary, first byte 0x01 -> every other member of the room
//   binary, first byte 0x02 -> every member, sender included
//   anything else           -> dropped
//
// Usage: node relay.mjs [--port N] [--bind ADDR]   (prints "listening on PORT")
import http from 'node:http';
import { WebSocketServer, WebSocket } from 'ws';

// ws loads bufferutil by itself when it is installed; we only check that it
// is, because without it masking runs in JS and the numbers mean less.
try {
  await import('bufferutil');
} catch {
  console.error('warning: bufferutil could not be imported; ws falls back to JS (un)masking');
}

const MEDIA = 0x01;
const STATE = 0x02;
const ROOM_ID = /^[A-Za-z0-9_-]{1,64}$/;
// Mirrors the C relay: a recipient that lets this much pile up is dropped,
// so one stalled client cannot grow the process without bound.
const OUT_LIMIT = 4 * 1024 * 1024;

function parseArgs(argv) {
  const opts = { port: 0, bind: '127.0.0.1' };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--port' && i + 1 < argv.length) opts.port = Number(argv[++i]);
    else if (argv[i] === '--bind' && i + 1 < argv.length) opts.bind = argv[++i];
    else {
      console.error('usage: node relay.mjs [--port N] [--bind ADDR]');
      process.exit(2);
    }
  }
  return opts;
}

// Room from the raw query, without percent-decoding, so that both peers
// accept exactly the same ids.
function roomOf(url) {
  const q = url.indexOf('?');
  if (q < 0 || url.slice(0, q) !== '/ws') return null;
  for (const param of url.slice(q + 1).split('&')) {
    if (param.startsWith('room=')) {
      const id = param.slice(5);
      return ROOM_ID.test(id) ? id : null;
    }
  }
  return null;
}

const rooms = new Map(); // room id -> Set of WebSocket

function join(ws, id) {
  let members = rooms.get(id);
  if (!members) rooms.set(id, (members = new Set()));
  members.add(ws);

  ws.on('message', (data, isBinary) => {
    if (!isBinary) {
      ws.close(1003);
      return;
    }
    if (data.length === 0) return;
    const kind = data[0];
    if (kind !== MEDIA && kind !== STATE) return;
    for (const peer of members) {
      if ((peer === ws && kind === MEDIA) || peer.readyState !== WebSocket.OPEN) continue;
      if (peer.bufferedAmount > OUT_LIMIT) {
        peer.terminate();
        continue;
      }
      peer.send(data, { binary: true });
    }
  });
  // Without a listener a protocol error (e.g. 1009) would crash the process.
  ws.on('error', () => {});
  ws.on('close', () => {
    members.delete(ws);
    if (members.size === 0 && rooms.get(id) === members) rooms.delete(id);
  });
}

const { port, bind } = parseArgs(process.argv.slice(2));

const wss = new WebSocketServer({
  noServer: true,
  perMessageDeflate: false,
  maxPayload: 65536,
  clientTracking: false,
});

// Plain HTTP requests are not part of the contract.
const server = http.createServer((req, res) => {
  res.writeHead(404, { 'Content-Length': '0', Connection: 'close' }).end();
});

server.on('upgrade', (req, socket, head) => {
  // A reset from a client must not become an uncaught 'error'.
  socket.on('error', () => socket.destroy());
  const id = roomOf(req.url ?? '');
  if (id === null) {
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    return;
  }
  socket.setNoDelay(true);
  wss.handleUpgrade(req, socket, head, (ws) => join(ws, id));
});

server.listen(port, bind, () => {
  // stdout to a pipe is synchronous in Node, so this line is flushed now.
  process.stdout.write(`listening on ${server.address().port}\n`);
});

for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
