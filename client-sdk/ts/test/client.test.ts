// The TypeScript client against a real balint-server on loopback: connect
// with a join link, the state store, commands and their results, events,
// end-to-end encrypted chat and media, refusals, and closing.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import {
  CAMERA_TRACK,
  type Client,
  ClientErrorCode,
  ConnectError,
  KeyFrameReason,
  type SecurityNotice,
  VideoCodec,
  type VideoFrame,
  checkJoin,
  cmd,
  joinCheckUrl,
  parseJoinLink,
  v1,
} from "../src/index.js";
import { startRelay } from "../test-support/relay.js";
import { type Invite, ServerProcess, join } from "../test-support/server.js";

let server: ServerProcess;
before(async () => {
  server = await ServerProcess.start();
});
after(async () => {
  await server?.stop();
});

// A Balint session with a facilitator, a presenter and two members.
async function balintGroup(): Promise<{ invites: Map<string, Invite>; clients: Map<string, Client> }> {
  const created = await server.createSession({
    name: "Thursday group",
    format: "balint",
    invitees: [
      { id: "fac", name: "Dr Ada", role: "facilitator" },
      { id: "pre", name: "Dr Bo", role: "presenter" },
      { id: "m1", name: "Dr Cy", role: "participant" },
      { id: "m2", name: "Dr Di", role: "participant" },
    ],
  });
  const invites = new Map(created.invites.map((i) => [i.participant_id, i]));
  const clients = new Map<string, Client>();
  for (const id of ["fac", "pre", "m1", "m2"]) clients.set(id, await join(invites.get(id)!));
  for (const client of clients.values()) assert.ok(await client.waitKeysReady(5000), "keys in place");
  return { invites, clients };
}

async function closeAll(clients: Iterable<Client>): Promise<void> {
  await Promise.all([...clients].map((c) => c.close()));
}

const phaseId = (state: v1.SessionState | null) => state?.format?.phases[state.phaseIndex]?.id ?? "";

describe("parseJoinLink", () => {
  test("turns a join link into the WebSocket URL and the token", () => {
    assert.deepEqual(parseJoinLink("http://127.0.0.1:8080/join#abc.def"), { wsUrl: "ws://127.0.0.1:8080/ws", token: "abc.def" });
    assert.deepEqual(parseJoinLink("https://rooms.example/balint/join#t"), { wsUrl: "wss://rooms.example/balint/ws", token: "t" });
    assert.deepEqual(parseJoinLink("ws://h:1/ws?token=t"), { wsUrl: "ws://h:1/ws", token: "t" });
  });
  test("says what is wrong with a link it cannot use", () => {
    assert.throws(() => parseJoinLink("hello"), /not a link/);
    assert.throws(() => parseJoinLink("http://h/join"), /no token/);
    assert.throws(() => parseJoinLink("http://h/other#t"), /ends in \/join/);
    assert.throws(() => parseJoinLink("ftp://h/join#t"), /http:\/\/ or https:\/\//);
  });
});

describe("a client on a real server", () => {
  test("connects, announces its keys, and stores the server's state", async () => {
    const { clients } = await balintGroup();
    const fac = clients.get("fac")!;
    assert.equal(fac.connection, "open");
    assert.equal(fac.participantId, "fac");
    assert.equal(fac.welcome?.role, v1.Role.FACILITATOR);
    assert.equal(fac.state?.name, "Thursday group");
    assert.equal(fac.state?.presenterId, "pre");
    assert.equal(fac.me?.displayName, "Dr Ada");
    assert.equal(fac.me?.keys?.identityKey.length, 32);
    // Everyone sees everyone's keys and computes the same code.
    const codes = new Set([...clients.values()].map((c) => c.securityCode));
    assert.equal(codes.size, 1);
    assert.match(fac.securityCode, /^(\d{5} ){7}\d{5}$/);
    // The server's clock, not ours: within a few seconds of it.
    assert.ok(Math.abs(fac.serverNow() - Date.now()) < 5000);
    await closeAll(clients.values());
  });

  test("a command resolves after the state that reflects it, and events arrive", async () => {
    const { clients } = await balintGroup();
    const fac = clients.get("fac")!;
    const m1 = clients.get("m1")!;
    const events: v1.Event[] = [];
    m1.on("event", (e) => events.push(e));
    const result = await fac.send(cmd.nextPhase());
    assert.equal(result.code, v1.ErrorCode.OK);
    assert.equal(fac.state?.version, result.stateVersion);
    assert.equal(phaseId(fac.state), "presentation");
    await m1.waitFor((s) => s.version >= result.stateVersion);
    assert.equal(phaseId(m1.state), "presentation");
    const changed = events.find((e) => e.kind.case === "phaseChanged");
    assert.ok(changed, "m1 got PhaseChanged");
    assert.equal(changed.kind.case === "phaseChanged" && changed.kind.value.toIndex, 0);
    await closeAll(clients.values());
  });

  test("a refused command changes nothing and says why", async () => {
    const { clients } = await balintGroup();
    const m1 = clients.get("m1")!;
    const before = m1.state!.version;
    const result = await m1.send(cmd.nextPhase());
    assert.equal(result.code, v1.ErrorCode.PERMISSION_DENIED);
    assert.notEqual(result.message, "");
    assert.equal(m1.state!.version, before);
    const unknown = await clients.get("fac")!.send(cmd.mute("nobody"));
    assert.equal(unknown.code, v1.ErrorCode.UNKNOWN_PARTICIPANT);
    await closeAll(clients.values());
  });

  test("chat is end-to-end encrypted, direct messages reach only their recipient, and the observing presenter is refused", async () => {
    const { clients } = await balintGroup();
    const got = new Map<string, string[]>();
    for (const [id, c] of clients) {
      got.set(id, []);
      c.on("chat", (m) => got.get(id)!.push(`${m.senderId}${m.recipientId ? `->${m.recipientId}` : ""}: ${m.text}`));
    }
    const fac = clients.get("fac")!;
    assert.equal((await fac.sendChat("welcome, all")).code, v1.ErrorCode.OK);
    assert.equal((await clients.get("m1")!.sendChat("for Di only", "m2")).code, v1.ErrorCode.OK);
    // Each member answers a command, so everything relayed before has arrived.
    for (const c of clients.values()) await c.send(cmd.lowerHand());
    for (const id of ["pre", "m1", "m2"]) assert.ok(got.get(id)!.includes("fac: welcome, all"), id);
    assert.deepEqual(got.get("m2")!.filter((t) => t.includes("Di only")), ["m1->m2: for Di only"]);
    assert.equal(got.get("pre")!.some((t) => t.includes("Di only")), false);
    assert.equal(got.get("fac")!.some((t) => t.includes("Di only")), false);

    for (let i = 0; i < 3; i++) assert.equal((await fac.send(cmd.nextPhase())).code, v1.ErrorCode.OK);
    await clients.get("pre")!.waitFor((s) => phaseId(s) === "observation");
    const refused = await clients.get("pre")!.sendChat("may I say something?");
    assert.equal(refused.code, v1.ErrorCode.PHASE_FORBIDS);
    assert.match(refused.message, /observes in silence/);
    assert.equal((await clients.get("m1")!.sendChat("we wonder")).code, v1.ErrorCode.OK);
    await closeAll(clients.values());
  });

  test("media frames are sealed and opened, and the server drops the observing presenter's", async () => {
    const { clients } = await balintGroup();
    const heard = new Map<string, string[]>();
    for (const [id, c] of clients) {
      heard.set(id, []);
      c.on("media", (f) => heard.get(id)!.push(`${f.senderId}:${new TextDecoder().decode(f.payload)}`));
    }
    const fac = clients.get("fac")!;
    await fac.send(cmd.nextPhase()); // Presentation: the presenter speaks.
    const frame = (text: string) => new TextEncoder().encode(text);
    await clients.get("pre")!.waitFor((s) => phaseId(s) === "presentation");
    assert.ok(clients.get("pre")!.sendMedia(0, frame("case")));
    await clients.get("pre")!.send(cmd.lowerHand());
    for (const c of clients.values()) await c.send(cmd.lowerHand());
    assert.ok(heard.get("m1")!.includes("pre:case"));

    await fac.send(cmd.nextPhase());
    await fac.send(cmd.nextPhase()); // Observation.
    await clients.get("pre")!.waitFor((s) => phaseId(s) === "observation");
    assert.equal(clients.get("pre")!.me?.maySpeak, false);
    assert.ok(clients.get("pre")!.sendMedia(0, frame("interrupting")));
    assert.ok(clients.get("m1")!.sendMedia(0, frame("wondering")));
    for (const c of clients.values()) await c.send(cmd.lowerHand());
    assert.equal(heard.get("m2")!.includes("pre:interrupting"), false);
    assert.ok(heard.get("m2")!.includes("m1:wondering"));
    assert.equal(clients.get("m2")!.undecryptableMediaFrames, 0);
    await closeAll(clients.values());
  });

  test("camera chunks are sealed and opened with their codec and flags; key frames are asked for and pausing stops them", async () => {
    const { invites, clients } = await balintGroup();
    const seen = new Map<string, VideoFrame[]>();
    for (const [id, c] of clients) {
      seen.set(id, []);
      c.on("video", (f) => seen.get(id)!.push(f));
    }
    const m1 = clients.get("m1")!;
    let asked = 0;
    let newKeys = 0;
    m1.on("keyFrameRequest", (why) => (why === KeyFrameReason.ASKED ? (asked += 1) : (newKeys += 1)));
    const bytes = (text: string) => new TextEncoder().encode(text);
    const text = (f: VideoFrame) => `${f.senderId}:${new TextDecoder().decode(f.data)}`;
    const settle = async () => {
      for (const c of clients.values()) await c.send(cmd.lowerHand());
    };

    assert.equal(m1.sendMedia(CAMERA_TRACK, bytes("not through sendMedia")), false);
    await m1.send(cmd.setCamera(true));
    assert.ok(m1.sendVideo({ codec: VideoCodec.VP9, keyFrame: true, temporalLayer: 0, data: bytes("key") }));
    assert.ok(m1.sendVideo({ codec: VideoCodec.VP9, keyFrame: false, temporalLayer: 2, data: bytes("delta") }));
    await settle();
    const first = seen.get("fac")!;
    assert.deepEqual(first.map(text), ["m1:key", "m1:delta"]);
    assert.deepEqual(
      first.map((f) => [f.codec, f.keyFrame, f.temporalLayer]),
      [[VideoCodec.VP9, true, 0], [VideoCodec.VP9, false, 2]],
    );
    assert.equal(asked, 0);

    // A newcomer (m2 again, on a new connection) gets no deltas, and m1 is asked for a key frame.
    await clients.get("m2")!.close();
    const back = await join(invites.get("m2")!);
    assert.ok(await back.waitKeysReady(5000));
    await m1.waitKeysReady(5000);
    const backSeen: VideoFrame[] = [];
    back.on("video", (f) => backSeen.push(f));
    assert.ok(m1.sendVideo({ codec: VideoCodec.VP8, keyFrame: false, temporalLayer: 0, data: bytes("delta 2") }));
    await settle();
    await back.send(cmd.lowerHand()); // After m1's round trip: whatever the server forwarded it has come.
    assert.equal(asked, 1);
    assert.ok(newKeys >= 1, "m1's keys of the epoch with the newcomer in it were taken: a key frame is due");
    assert.deepEqual(backSeen, []);

    // Paused, the facilitator gets none; resumed, from the next key frame.
    assert.equal((await clients.get("fac")!.setVideoPaused(true)).code, v1.ErrorCode.OK);
    assert.ok(m1.sendVideo({ codec: VideoCodec.VP8, keyFrame: true, temporalLayer: 0, data: bytes("key 3") }));
    await settle();
    assert.equal((await clients.get("fac")!.setVideoPaused(false)).code, v1.ErrorCode.OK);
    assert.ok(m1.sendVideo({ codec: VideoCodec.VP8, keyFrame: true, temporalLayer: 0, data: bytes("key 4") }));
    await settle();
    await back.send(cmd.lowerHand());
    assert.deepEqual(seen.get("fac")!.map(text), ["m1:key", "m1:delta", "m1:delta 2", "m1:key 4"]);
    assert.deepEqual(backSeen.map(text), ["m1:key 3", "m1:key 4"]);

    // Asking for a key frame reaches the sender.
    await new Promise((resolve) => setTimeout(resolve, 550)); // Past the server's throttle.
    assert.ok(back.requestKeyFrame("m1"));
    await back.send(cmd.lowerHand());
    await m1.send(cmd.lowerHand());
    assert.equal(asked, 2);
    clients.delete("m2");
    await closeAll([...clients.values(), back]);
  });

  test("a join changes the security code, and everyone is told", async () => {
    const { invites, clients } = await balintGroup();
    const notices: SecurityNotice[] = [];
    clients.get("m1")!.on("security", (n) => notices.push(n));
    const before = clients.get("m1")!.securityCode;
    await clients.get("m2")!.close();
    await clients.get("m1")!.waitFor((s) => s.roster.some((m) => m.participantId === "m2" && !m.keys));
    const back = await join(invites.get("m2")!);
    await back.waitKeysReady(5000);
    await clients.get("m1")!.waitKeysReady(5000);
    assert.ok(notices.some((n) => n.kind === "code_changed"));
    assert.notEqual(clients.get("m1")!.securityCode, before);
    assert.equal(back.securityCode, clients.get("m1")!.securityCode);
    clients.set("m2", back);
    await closeAll(clients.values());
  });

  test("closing resolves what waits with CONNECTION_CLOSED, and a closed client refuses to send", async () => {
    const { clients } = await balintGroup();
    const m1 = clients.get("m1")!;
    const states: string[] = [];
    m1.on("connection", (s) => states.push(s));
    await m1.close();
    assert.deepEqual(states, ["closed"]);
    assert.equal(m1.connection, "closed");
    assert.equal((await m1.send(cmd.raiseHand())).code, ClientErrorCode.NOT_CONNECTED);
    assert.equal((await m1.sendChat("anyone?")).code, ClientErrorCode.NOT_CONNECTED);
    assert.equal(m1.sendMedia(0, new Uint8Array(3)), false);
    assert.equal(m1.securityCode, "");
    await closeAll(clients.values());
  });

  test("the server closing the connection is reported with its reason", async () => {
    const { clients } = await balintGroup();
    const m2 = clients.get("m2")!;
    const closed = new Promise<string>((resolve) => m2.on("connection", (s, info) => s === "closed" && resolve(info!.reason)));
    assert.equal((await clients.get("fac")!.send(cmd.removeMember("m2"))).code, v1.ErrorCode.OK);
    assert.match(await closed, /remov/i);
    assert.equal(m2.closed?.byServer, true);
    await closeAll(clients.values());
  });

  test("a connection the network drops is made again by itself, with fresh keys and the current state", async () => {
    const { invites, clients } = await balintGroup();
    await clients.get("m2")!.close();
    const relay = await startRelay(server.url);
    after(() => relay.close());
    const m2 = await join({ ...invites.get("m2")!, link: invites.get("m2")!.link.replace(server.url, relay.url) }, {
      reconnectDelaysMs: [100],
    });
    await m2.waitKeysReady(5000);
    const seen: string[] = [];
    m2.on("connection", (state) => seen.push(state));
    const codeBefore = m2.securityCode;

    relay.drop();
    await clients.get("fac")!.waitFor((s) => s.roster.some((m) => m.participantId === "m2" && m.connection !== v1.ConnectionStatus.CONNECTED));
    assert.equal((await clients.get("fac")!.send(cmd.nextPhase())).code, v1.ErrorCode.OK); // The group moves on meanwhile.
    relay.restore();
    await m2.waitFor((s) => phaseId(s) === "presentation", 10_000);
    // The state comes first; the connection counts as open once the server took the new keys.
    for (let waited = 0; m2.connection !== "open"; waited += 10) {
      assert.ok(waited < 5000, "open again");
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.deepEqual(seen, ["reconnecting", "open"]);
    assert.ok(await m2.waitKeysReady(5000));
    await clients.get("fac")!.waitKeysReady(5000);
    assert.notEqual(m2.securityCode, codeBefore, "new keys for the new connection");
    assert.equal(m2.securityCode, clients.get("fac")!.securityCode);
    const heard = new Promise<string>((resolve) => m2.on("chat", (m) => resolve(m.text)));
    assert.equal((await clients.get("fac")!.sendChat("welcome back")).code, v1.ErrorCode.OK);
    assert.equal(await heard, "welcome back");

    clients.set("m2", m2);
    await closeAll(clients.values());
  });

  test("a bad token is refused with a ConnectError", async () => {
    const target = parseJoinLink(`${server.url}/join#not-a-token`);
    const { Client } = await import("../src/index.js");
    const WebSocket = (await import("ws")).default;
    const client = new Client({ socket: (url) => new WebSocket(url) as never, connectTimeoutMs: 3000 });
    const seen: string[] = [];
    client.on("connection", (state, info) => seen.push(`${state}:${info === null ? "-" : info.reason}`));
    await assert.rejects(client.connect(target), (error: unknown) => error instanceof ConnectError && error.code === "network");
    assert.equal(client.connection, "closed");
    // A connection that never opened reports no ending: the rejection says why.
    assert.deepEqual(seen, ["connecting:-", "closed:-"]);
  });
});

describe("checkJoin", () => {
  test("the check's URL keeps the host and any path prefix", () => {
    assert.equal(joinCheckUrl("ws://127.0.0.1:8080/ws"), "http://127.0.0.1:8080/api/v1/join");
    assert.equal(joinCheckUrl("wss://rooms.example/balint/ws"), "https://rooms.example/balint/api/v1/join");
  });

  test("a good link is answered with the session and the member, and joins nobody", async () => {
    const { invites, clients } = await balintGroup();
    const version = clients.get("fac")!.state!.version;
    const check = await checkJoin(parseJoinLink(invites.get("m1")!.link));
    assert.deepEqual(check, {
      ok: true,
      sessionId: clients.get("fac")!.state!.sessionId,
      sessionName: "Thursday group",
      participantId: "m1",
      displayName: "Dr Cy",
      role: "participant",
    });
    await clients.get("fac")!.send(cmd.lowerHand());
    assert.equal(clients.get("fac")!.state!.version, version, "nothing changed");
    await closeAll(clients.values());
  });

  test("a link the server would refuse says why: ended, revoked, not a token", async () => {
    const { invites, clients } = await balintGroup();
    const fac = clients.get("fac")!;
    assert.equal((await fac.send(cmd.removeMember("m2", true))).code, v1.ErrorCode.OK);
    const revoked = await checkJoin(parseJoinLink(invites.get("m2")!.link));
    assert.deepEqual(revoked, { ok: false, status: 403, code: "token_revoked", message: "a facilitator revoked this join token" });
    assert.equal((await fac.send(cmd.endSession())).code, v1.ErrorCode.OK);
    const ended = await checkJoin(parseJoinLink(invites.get("m1")!.link));
    assert.deepEqual(ended, { ok: false, status: 409, code: "session_ended", message: "the session has ended" });
    const bad = await checkJoin(parseJoinLink(`${server.url}/join#nonsense`));
    assert.equal(bad.ok, false);
    assert.equal(!bad.ok && bad.code, "invalid_token");
    await closeAll(clients.values());
  });

  test("an unreachable server throws", async () => {
    await assert.rejects(checkJoin({ wsUrl: "ws://127.0.0.1:1/ws", token: "t" }));
  });
});
