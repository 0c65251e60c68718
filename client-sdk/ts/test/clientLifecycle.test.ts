// The client's connect and close against a scripted socket, for the orders
// of events a real network produces and a real server rarely does on cue:
// close() while connecting (before and after the socket exists), connecting
// again right after a close, a connect timer that must not outlive its
// attempt, and reconnecting: after a drop, after a restarting server's
// Goodbye, with the resume credential and without it.
import { type MessageInitShape, create, fromBinary, toBinary } from "@bufbuild/protobuf";
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";

import { Client, ClientErrorCode, type ClientOptions, ConnectError, type SocketLike, VideoCodec, cmd, v1 } from "../src/index.js";

const target = { wsUrl: "ws://127.0.0.1:9/ws", token: "t" };

// The server's side of one socket, played by the test.
class ScriptedSocket implements SocketLike {
  binaryType = "";
  bufferedAmount = 0;
  onopen: SocketLike["onopen"] = null;
  onmessage: SocketLike["onmessage"] = null;
  onclose: SocketLike["onclose"] = null;
  onerror: SocketLike["onerror"] = null;
  readonly sent: v1.ClientMessage[] = [];
  closedByClient = false;

  constructor(readonly url = "") {}

  send(data: Uint8Array): void {
    this.sent.push(fromBinary(v1.ClientMessageSchema, data));
  }
  close(): void {
    this.closedByClient = true;
  }
  deliver(message: MessageInitShape<typeof v1.ServerMessageSchema>): void {
    const bytes = toBinary(v1.ServerMessageSchema, create(v1.ServerMessageSchema, message));
    this.onmessage?.({ data: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) });
  }
  // Welcome (with a resume credential if given), a state listing the member, and OK to its key announcement.
  async admit(resumeCredential = "", clientSilenceTimeoutMs = 0): Promise<void> {
    this.deliver({
      body: {
        case: "welcome",
        value: { sessionId: "s1", participantId: "me", role: v1.Role.PARTICIPANT, resumeCredential, clientSilenceTimeoutMs },
      },
    });
    this.deliver({
      body: {
        case: "state",
        value: { sessionId: "s1", version: 1n, roster: [{ participantId: "me", displayName: "Me", connection: v1.ConnectionStatus.CONNECTED }] },
      },
    });
    const announce = this.sent.find((m) => m.body.case === "command" && m.body.value.kind.case === "announceKeys");
    assert.ok(announce, "the client announced its keys");
    this.deliver({ body: { case: "result", value: { requestId: announce.requestId, code: v1.ErrorCode.OK } } });
  }
}

// Every client a test made is closed after it: one left open would, once
// its scripted server had been silent for the heartbeat timeout, reconnect
// for ever and keep the run alive.
// (Each socket then answers the close at once, as a server would.)
const made: { client: Client; sockets: ScriptedSocket[] }[] = [];
afterEach(async () => {
  for (const { client, sockets } of made.splice(0)) {
    const closing = client.close();
    for (const socket of sockets) socket.onclose?.({ code: 1000, reason: "" });
    await closing;
  }
});

function scripted(options: Omit<ClientOptions, "socket"> = {}) {
  const sockets: ScriptedSocket[] = [];
  const client = new Client({
    ...options,
    socket: (url) => {
      const socket = new ScriptedSocket(url);
      sockets.push(socket);
      return socket;
    },
  });
  made.push({ client, sockets });
  return { client, sockets };
}

const tick = () => new Promise((r) => setTimeout(r, 0));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The i-th socket the client opened, once it has (libsodium loads first).
async function opened(sockets: ScriptedSocket[], i: number): Promise<ScriptedSocket> {
  for (let waited = 0; sockets[i] === undefined; waited += 5) {
    assert.ok(waited < 5000, `socket ${i} was never opened`);
    await sleep(5);
  }
  return sockets[i]!;
}

test("connect resolves once the server took the keys", async () => {
  const { client, sockets } = scripted();
  const connecting = client.connect(target);
  await (await opened(sockets, 0)).admit();
  await connecting;
  assert.equal(client.connection, "open");
  assert.equal(client.participantId, "me");
});

test("close() before the socket exists opens none, and connect rejects at once", async () => {
  const { client, sockets } = scripted();
  const connecting = client.connect(target);
  await client.close();
  await assert.rejects(connecting, (e: unknown) => e instanceof ConnectError && e.code === "closed");
  await tick();
  assert.equal(sockets.length, 0, "no socket was opened after the close");
  assert.equal(client.connection, "closed");
});

test("close() while the server has not answered rejects connect at once, not at the timeout", async () => {
  const { client, sockets } = scripted({ connectTimeoutMs: 60_000 });
  const connecting = client.connect(target);
  await opened(sockets, 0);
  const started = Date.now();
  await client.close();
  await assert.rejects(connecting, (e: unknown) => e instanceof ConnectError && e.code === "closed");
  assert.ok(Date.now() - started < 1000);
  assert.equal(sockets[0]!.closedByClient, true);
});

test("an abandoned attempt's timer does not end the next connection", async () => {
  const { client, sockets } = scripted({ connectTimeoutMs: 300 });
  const first = client.connect(target);
  await opened(sockets, 0);
  await client.close();
  await assert.rejects(first);
  const second = client.connect(target);
  await (await opened(sockets, 1)).admit();
  await second;
  await sleep(500); // Past the first attempt's timeout.
  assert.equal(client.connection, "open");
});

test("a connection made right after a close is not ended by the close's fallback timer", async () => {
  const { client, sockets } = scripted();
  const first = client.connect(target);
  await (await opened(sockets, 0)).admit();
  await first;
  const closing = client.close();
  sockets[0]!.onclose?.({ code: 1000, reason: "" }); // The server answers the close.
  await closing;
  const second = client.connect(target);
  await (await opened(sockets, 1)).admit();
  await second;
  await sleep(2200); // Past the close's 2 s fallback.
  assert.equal(client.connection, "open");
});

test("a message that does not decode closes an open connection with a reason", async () => {
  const { client, sockets } = scripted();
  const connecting = client.connect(target);
  await (await opened(sockets, 0)).admit();
  await connecting;
  sockets[0]!.onmessage?.({ data: new Uint8Array([0xff, 0xff, 0xff]).buffer });
  assert.equal(client.connection, "closed");
  assert.match(client.closed?.reason ?? "", /does not decode/);
});

test("a socket that cannot be made is reported without the URL (it holds the token)", async () => {
  const client = new Client({
    socket: (url) => {
      throw new SyntaxError(`The URL '${url}' is invalid.`);
    },
  });
  await assert.rejects(client.connect({ wsUrl: "ws://h/ws", token: "SECRET" }), (e: unknown) => {
    assert.ok(e instanceof ConnectError);
    assert.doesNotMatch(e.message, /SECRET/);
    return true;
  });
  assert.doesNotMatch(client.closed?.reason ?? "", /SECRET/);
});

// --- Reconnecting ---------------------------------------------------------

const quick = { reconnectDelaysMs: [10] };

function states(client: Client): string[] {
  const seen: string[] = [];
  client.on("connection", (state) => seen.push(state));
  return seen;
}

test("a dropped connection is made again by itself, and commands wait for it", async () => {
  const { client, sockets } = scripted(quick);
  const seen = states(client);
  const connecting = client.connect(target);
  await (await opened(sockets, 0)).admit();
  await connecting;
  sockets[0]!.onclose?.({ code: 1006, reason: "" }); // The network, not the server.
  assert.equal(client.connection, "reconnecting");
  assert.equal((await client.send(cmd.raiseHand())).code, ClientErrorCode.NOT_CONNECTED);
  await (await opened(sockets, 1)).admit();
  for (let waited = 0; (client.connection as string) !== "open"; waited += 5) {
    assert.ok(waited < 2000, "open again");
    await sleep(5);
  }
  assert.deepEqual(seen, ["connecting", "open", "reconnecting", "open"]);
});

test("a server that goes silent is asked with heartbeats, then counted dropped after the Welcome's timeout", async () => {
  const { client, sockets } = scripted(quick);
  const seen = states(client);
  const connecting = client.connect(target);
  const first = await opened(sockets, 0);
  await first.admit("", 600);
  await connecting;
  const heartbeats = () => first.sent.filter((m) => m.body.case === "heartbeat").length;
  // Answered heartbeats keep a quiet connection open well past the timeout.
  for (let i = 0; i < 6; i++) {
    await sleep(250);
    if (heartbeats() > 0) first.deliver({ body: { case: "heartbeat", value: {} } });
  }
  assert.equal(client.connection, "open", "answered heartbeats keep it open");
  assert.ok(heartbeats() >= 2, `heartbeats sent while the server was quiet: ${heartbeats()}`);
  // Unanswered, the connection counts as dropped and is made again.
  for (let waited = 0; client.connection === "open"; waited += 5) {
    assert.ok(waited < 2000, "the silence was noticed");
    await sleep(5);
  }
  assert.equal(client.closed?.reason, "nothing heard from the server for 0.6 s");
  assert.equal(first.closedByClient, true, "the silent socket is closed");
  await (await opened(sockets, 1)).admit();
  for (let waited = 0; (client.connection as string) !== "open"; waited += 5) {
    assert.ok(waited < 2000, "open again");
    await sleep(5);
  }
  assert.deepEqual(seen, ["connecting", "open", "reconnecting", "open"]);
});

test("a Goodbye is final: no attempt follows", async () => {
  const { client, sockets } = scripted(quick);
  const connecting = client.connect(target);
  await (await opened(sockets, 0)).admit();
  await connecting;
  const removed = { reason: v1.GoodbyeReason.REMOVED, message: "removed by a facilitator" };
  sockets[0]!.deliver({ body: { case: "goodbye", value: removed } });
  sockets[0]!.onclose?.({ code: 1000, reason: "" });
  await sleep(100);
  assert.equal(client.connection, "closed");
  assert.equal(client.closed?.reason, "removed by a facilitator");
  assert.equal(client.closed?.goodbye, v1.GoodbyeReason.REMOVED);
  assert.equal(sockets.length, 1);
});

test("close() while reconnecting stops the attempts", async () => {
  const { client, sockets } = scripted({ reconnectDelaysMs: [200] });
  const connecting = client.connect(target);
  await (await opened(sockets, 0)).admit();
  await connecting;
  sockets[0]!.onclose?.({ code: 1006, reason: "" });
  await client.close();
  await sleep(400);
  assert.equal(client.connection, "closed");
  assert.equal(sockets.length, 1, "no attempt after the close");
});

test("with reconnect off, a drop closes", async () => {
  const { client, sockets } = scripted({ reconnect: false });
  const connecting = client.connect(target);
  await (await opened(sockets, 0)).admit();
  await connecting;
  sockets[0]!.onclose?.({ code: 1006, reason: "" });
  assert.equal(client.connection, "closed");
});

test("a link the server now refuses ends the attempts with its reason", async () => {
  const sockets: ScriptedSocket[] = [];
  const asked: string[] = [];
  const client = new Client({
    ...quick,
    socket: () => {
      const socket = new ScriptedSocket();
      sockets.push(socket);
      // Every attempt after the first is refused at once, as a browser sees it.
      if (sockets.length > 1) setTimeout(() => socket.onclose?.({ code: 1006, reason: "" }), 0);
      return socket;
    },
    fetch: (async (url: string | URL) => {
      asked.push(String(url));
      return new Response(JSON.stringify({ error: { code: "session_ended", message: "the session has ended" } }), { status: 409 });
    }) as typeof fetch,
  });
  const connecting = client.connect(target);
  await (await opened(sockets, 0)).admit();
  await connecting;
  const closed = new Promise<string>((resolve) => client.on("connection", (s, info) => s === "closed" && resolve(info?.reason ?? "")));
  sockets[0]!.onclose?.({ code: 1006, reason: "" });
  assert.equal(await closed, "the session has ended");
  assert.deepEqual(asked, ["http://127.0.0.1:9/api/v1/join"]);
});

// --- Resuming -------------------------------------------------------------

const credential = "s1.me.secret-one";
// Only the enum says so: the client does not read the deprecated `restarting`.
const restartingGoodbye = { reason: v1.GoodbyeReason.RESTARTING, message: "the server is restarting; you will be reconnected" };

// What the client asked GET /api/v1/join with (its Authorization header), answered by `answer`.
function joinCheckServer(answer: () => Response) {
  const asked: string[] = [];
  const fetchImpl = (async (_url: string | URL, init?: RequestInit) => {
    asked.push(new Headers(init?.headers).get("Authorization") ?? "");
    return answer();
  }) as typeof fetch;
  return { asked, fetchImpl };
}

const refusal = (status: number, code: string) =>
  new Response(JSON.stringify({ error: { code, message: code } }), { status });

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 5) {
    assert.ok(waited < 3000, what);
    await sleep(5);
  }
}

test("a restarting server's Goodbye is not final: the client reconnects with its resume credential", async () => {
  const { client, sockets } = scripted(quick);
  const infos: string[] = [];
  client.on("connection", (state, info) => infos.push(`${state}${info?.goodbye === v1.GoodbyeReason.RESTARTING ? " (restarting)" : ""}`));
  const connecting = client.connect(target);
  await (await opened(sockets, 0)).admit(credential);
  await connecting;
  assert.equal(client.welcome?.resumeCredential, "", "the credential stays inside the client");
  sockets[0]!.deliver({ body: { case: "goodbye", value: restartingGoodbye } });
  sockets[0]!.onclose?.({ code: 1000, reason: "" });
  assert.equal(client.connection, "reconnecting");
  assert.deepEqual(
    { ...client.closed, code: 0 },
    { reason: restartingGoodbye.message, byServer: true, goodbye: v1.GoodbyeReason.RESTARTING, code: 0 },
  );
  const again = await opened(sockets, 1);
  const url = new URL(again.url);
  assert.equal(url.searchParams.get("resume"), credential);
  assert.equal(url.searchParams.has("token"), false, "a resume needs no token");
  await again.admit("s1.me.secret-two");
  await until(() => client.connection === "open", "open again");
  assert.deepEqual(infos, ["connecting", "open", "reconnecting (restarting)", "open"]);
});

test("with reconnect off, a restarting server's Goodbye closes, and says so", async () => {
  const { client, sockets } = scripted({ reconnect: false });
  const connecting = client.connect(target);
  await (await opened(sockets, 0)).admit(credential);
  await connecting;
  sockets[0]!.deliver({ body: { case: "goodbye", value: restartingGoodbye } });
  sockets[0]!.onclose?.({ code: 1000, reason: "" });
  assert.equal(client.connection, "closed");
  assert.equal(client.closed?.goodbye, v1.GoodbyeReason.RESTARTING);
});

test("a resume the server refuses gives way to the link's token at once", async () => {
  const check = joinCheckServer(() => refusal(401, "resume_refused"));
  const { client, sockets } = scripted({ ...quick, fetch: check.fetchImpl });
  const connecting = client.connect(target);
  await (await opened(sockets, 0)).admit(credential);
  await connecting;
  sockets[0]!.onclose?.({ code: 1006, reason: "" });
  // The resume attempt is refused as a browser sees it: closed, no reason.
  const resumed = await opened(sockets, 1);
  assert.equal(new URL(resumed.url).searchParams.get("resume"), credential);
  resumed.onclose?.({ code: 1006, reason: "" });
  const joined = await opened(sockets, 2);
  assert.deepEqual(check.asked, [`Resume ${credential}`], "the credential was checked, the token not");
  assert.equal(new URL(joined.url).searchParams.get("token"), "t");
  assert.equal(new URL(joined.url).searchParams.has("resume"), false);
  await joined.admit("s1.me.secret-two");
  await until(() => client.connection === "open", "open again");
});

test("a resume the server cannot answer now (restarting, or unreachable) keeps the credential", async () => {
  let answers = 0;
  const check = joinCheckServer(() => {
    answers += 1;
    if (answers === 1) return refusal(503, "server_restarting");
    throw new TypeError("fetch failed");
  });
  const { client, sockets } = scripted({ ...quick, fetch: check.fetchImpl });
  const connecting = client.connect(target);
  await (await opened(sockets, 0)).admit(credential);
  await connecting;
  sockets[0]!.onclose?.({ code: 1006, reason: "" });
  for (const i of [1, 2]) {
    const attempt = await opened(sockets, i);
    assert.equal(new URL(attempt.url).searchParams.get("resume"), credential, `attempt ${i} resumes`);
    attempt.onclose?.({ code: 1006, reason: "" });
  }
  const third = await opened(sockets, 3);
  assert.equal(new URL(third.url).searchParams.get("resume"), credential);
  assert.deepEqual(check.asked, [`Resume ${credential}`, `Resume ${credential}`]);
  await third.admit("s1.me.secret-two");
  await until(() => client.connection === "open", "open again");
});

test("a socket backed up drops camera chunks long before microphone frames", async () => {
  const { client, sockets } = scripted({ maxQueuedBytes: 80_000 });
  const connecting = client.connect(target);
  const socket = await opened(sockets, 0);
  await socket.admit();
  await connecting;
  // My keys on my roster entry, as the server puts them, in the first epoch: I may seal media.
  const announce = socket.sent.find((m) => m.body.case === "command" && m.body.value.kind.case === "announceKeys")!;
  const keys = announce.body.case === "command" && announce.body.value.kind.case === "announceKeys" ? announce.body.value.kind.value.keys : undefined;
  socket.deliver({
    body: {
      case: "state",
      value: {
        sessionId: "s1",
        version: 2n,
        keyEpoch: 1n,
        roster: [{ participantId: "me", displayName: "Me", connection: v1.ConnectionStatus.CONNECTED, keys }],
      },
    },
  });
  const chunk = { codec: VideoCodec.VP8, keyFrame: true, temporalLayer: 0, data: new Uint8Array(100) };
  const media = (at: number) => {
    socket.bufferedAmount = at;
    return [client.sendMedia(0, new Uint8Array(60)), client.sendVideo(chunk)];
  };
  assert.deepEqual(media(0), [true, true]);
  assert.deepEqual(media(10_000), [true, true], "an eighth of the bound is 10,000 bytes");
  assert.deepEqual(media(10_001), [true, false], "past it: video waits, audio goes");
  assert.deepEqual(media(80_001), [false, false]);
});
