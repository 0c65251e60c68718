// Coming back without the join link, against a real balint-server: after a
// network drop the client resumes its membership with the credential of its
// latest Welcome (so a link that has expired meanwhile does not matter),
// falls back to the link when the server refuses the credential, and comes
// back by itself when the server restarts.
import assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { after, afterEach, before, describe, test } from "node:test";

import { type Client, type CloseInfo, type ConnectionState, checkJoin, cmd, parseJoinLink, v1 } from "../src/index.js";
import { startRelay } from "../test-support/relay.js";
import { type Invite, ServerProcess, join as joinOnce } from "../test-support/server.js";

// Every client a test made is closed after it, passed or failed: a client
// left reconnecting to a server that is gone would keep the run alive.
const made: Client[] = [];
afterEach(() => Promise.all(made.splice(0).map((c) => c.close())));
async function join(...args: Parameters<typeof joinOnce>): Promise<Client> {
  const client = await joinOnce(...args);
  made.push(client);
  return client;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    assert.ok(waited < timeoutMs, what);
    await sleep(10);
  }
}

function connectionLog(client: Client): { state: ConnectionState; info: CloseInfo | null }[] {
  const seen: { state: ConnectionState; info: CloseInfo | null }[] = [];
  client.on("connection", (state, info) => seen.push({ state, info }));
  return seen;
}

// A join token signed as the server's own admin API would sign it, but valid
// for only `seconds` (the admin API mints none shorter than a minute).
function shortLivedToken(server: ServerProcess, claims: { sid: string; sub: string; name: string; role: string }, seconds: number) {
  const secret = readFileSync(joinPath(server.dataDir, "token.secret"), "utf8").trim();
  const now = Math.floor(Date.now() / 1000);
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const payload = { ...claims, iat: now, exp: now + seconds, jti: randomBytes(9).toString("base64url") };
  const signed = `${part({ alg: "HS256", typ: "JWT", kid: "local" })}.${part(payload)}`;
  return { token: `${signed}.${createHmac("sha256", secret).update(signed).digest("base64url")}`, expiresAt: payload.exp };
}

const viaRelay = (invite: Invite, serverUrl: string, relayUrl: string): Invite => ({
  ...invite,
  link: invite.link.replace(serverUrl, relayUrl),
});

async function heardChat(from: Client, to: Client, text: string): Promise<void> {
  assert.ok(await from.waitKeysReady(5000), "keys in place");
  assert.ok(await to.waitKeysReady(5000), "keys in place");
  const heard = new Promise<string>((resolve) => to.on("chat", (m) => m.text === text && resolve(m.text)));
  assert.equal((await from.sendChat(text)).code, v1.ErrorCode.OK);
  assert.equal(await heard, text);
}

describe("resuming after a drop", () => {
  let server: ServerProcess;
  let configDir: string;
  before(async () => {
    // No clock-skew allowance, so that a token is refused the second it expires.
    configDir = mkdtempSync(joinPath(tmpdir(), "balint-ts-config-"));
    writeFileSync(joinPath(configDir, "config.json"), JSON.stringify({ token_leeway_seconds: 0 }));
    server = await ServerProcess.start(["--config", joinPath(configDir, "config.json")]);
  });
  after(async () => {
    await server?.stop();
    rmSync(configDir, { recursive: true, force: true });
  });

  async function group() {
    const created = await server.createSession({
      name: "Resume group",
      format: "balint",
      invitees: [
        { id: "fac", name: "Dr Ada", role: "facilitator" },
        { id: "m1", name: "Dr Cy", role: "participant" },
      ],
    });
    return { sessionId: created.session_id, invites: new Map(created.invites.map((i) => [i.participant_id, i])) };
  }

  test("a member whose link expired while connected comes back after a drop by resuming", async () => {
    const { sessionId, invites } = await group();
    const fac = await join(invites.get("fac")!);
    const relay = await startRelay(server.url);
    after(() => relay.close());
    const short = shortLivedToken(server, { sid: sessionId, sub: "m1", name: "Dr Cy", role: "participant" }, 2);
    const m1 = await join({ ...invites.get("m1")!, link: `${relay.url}/join#${short.token}` }, { reconnectDelaysMs: [100] });
    const seen = connectionLog(m1);

    await until(() => Date.now() / 1000 > short.expiresAt + 1, "the token expired", 5000);
    const tokenCheck = await checkJoin(parseJoinLink(`${server.url}/join#${short.token}`));
    assert.equal(!tokenCheck.ok && tokenCheck.code, "invalid_token", "the link alone would not get in now");

    relay.drop();
    await until(() => m1.connection === "reconnecting", "m1 noticed the drop");
    await fac.waitFor((s) => s.roster.some((m) => m.participantId === "m1" && m.connection !== v1.ConnectionStatus.CONNECTED));
    relay.restore();
    await until(() => m1.connection === "open", "m1 is back");
    assert.deepEqual(seen.map((e) => e.state), ["reconnecting", "open"]);
    assert.equal(seen[0]!.info?.goodbye, null);
    assert.match(server.log(), new RegExp(`member resumes session=${sessionId} participant=m1\\b`));
    await heardChat(fac, m1, "welcome back");
  });

  test("a network that goes silent without a close or a reset is noticed by both ends, and the member comes back", async () => {
    const { invites } = await group();
    const fac = await join(invites.get("fac")!);
    const relay = await startRelay(server.url);
    after(() => relay.close());
    const m1 = await join(viaRelay(invites.get("m1")!, server.url, relay.url), { reconnectDelaysMs: [100] });
    const silenceMs = m1.welcome!.clientSilenceTimeoutMs;
    assert.equal(silenceMs, 4000, "the Welcome carries the server's default");
    const seen = connectionLog(m1);

    // Quiet but alive: the heartbeats keep it open past the silence timeout.
    await sleep(silenceMs + 1000);
    assert.equal(m1.connection, "open", "a quiet line is not a dead one");

    relay.stall();
    const stalledAt = Date.now();
    await until(() => m1.connection === "reconnecting", "m1 noticed the silence", silenceMs + 2000);
    const clientSaw = Date.now() - stalledAt;
    assert.match(seen[0]!.info!.reason, /nothing heard from the server for 4 s/);
    // The server pings a quiet connection after 5 s and gives it 4 more.
    await fac.waitFor((s) => s.roster.some((m) => m.participantId === "m1" && m.connection === v1.ConnectionStatus.RECONNECTING), 12_000);
    const serverSaw = Date.now() - stalledAt;
    console.log(`silent drop seen by the member after ${clientSaw} ms, by the server after ${serverSaw} ms`);

    relay.restore();
    await until(() => m1.connection === "open", "m1 is back", 15_000);
    assert.deepEqual(seen.map((e) => e.state), ["reconnecting", "open"]);
    await heardChat(fac, m1, "back after the silence");
  });

  test("a credential the server refuses (the member signed in elsewhere meanwhile) gives way to the link", async () => {
    const { sessionId, invites } = await group();
    const fac = await join(invites.get("fac")!);
    const relay = await startRelay(server.url);
    after(() => relay.close());
    const m1 = await join(viaRelay(invites.get("m1")!, server.url, relay.url), { reconnectDelaysMs: [100] });
    const seen = connectionLog(m1);

    relay.drop();
    await until(() => m1.connection === "reconnecting", "m1 noticed the drop");
    await fac.waitFor((s) => s.roster.some((m) => m.participantId === "m1" && m.connection !== v1.ConnectionStatus.CONNECTED));
    // Signing in with the link elsewhere gets a new credential; m1's dies.
    const elsewhere = await join(invites.get("m1")!);
    await elsewhere.close();
    relay.restore();
    await until(() => m1.connection === "open", "m1 is back");
    assert.deepEqual(seen.map((e) => e.state), ["reconnecting", "open"]);

    const log = server.log();
    assert.match(log, new RegExp(`resume check session=${sessionId} participant=m1 code=resume_refused`));
    assert.doesNotMatch(log, new RegExp(`member resumes session=${sessionId} participant=m1\\b`), "it came back with the link");
    await heardChat(fac, m1, "back by the link");
  });
});

describe("a server restart", () => {
  let server: ServerProcess;
  before(async () => {
    server = await ServerProcess.start();
  });
  after(async () => {
    await server?.stop();
  });

  test("clients wait through a SIGTERM restart and find the session as it was", async () => {
    const created = await server.createSession({
      name: "Restart group",
      format: "balint",
      invitees: [
        { id: "fac", name: "Dr Ada", role: "facilitator" },
        { id: "pre", name: "Dr Bo", role: "presenter" },
        { id: "m1", name: "Dr Cy", role: "participant" },
      ],
    });
    const invites = new Map(created.invites.map((i) => [i.participant_id, i]));
    const options = { reconnectDelaysMs: [200, 400] };
    const fac = await join(invites.get("fac")!, options);
    const m1 = await join(invites.get("m1")!, options);
    const seen = { fac: connectionLog(fac), m1: connectionLog(m1) };

    assert.equal((await fac.send(cmd.nextPhase())).code, v1.ErrorCode.OK);
    assert.equal((await m1.send(cmd.raiseHand())).code, v1.ErrorCode.OK);
    const before = await fac.waitFor((s) => s.handQueue.includes("m1"));
    await m1.waitFor((s) => s.version >= before.version);
    assert.ok(await fac.waitKeysReady(5000));
    const codeBefore = fac.securityCode;

    await server.terminate();
    for (const [id, log] of Object.entries(seen)) {
      assert.equal(log.length, 1, `${id}: one change`);
      assert.equal(log[0]!.state, "reconnecting", `${id} is reconnecting, not closed`);
      assert.equal(log[0]!.info?.goodbye, v1.GoodbyeReason.RESTARTING, `${id} was told the server is restarting`);
    }
    await sleep(1000); // Attempts fail while the server is away; none of them is final.
    assert.equal(fac.connection, "reconnecting");
    assert.equal(m1.connection, "reconnecting");

    await server.startAgain();
    await until(() => fac.connection === "open" && m1.connection === "open", "both are back");
    for (const client of [fac, m1]) {
      const state = client.state!;
      assert.equal(state.phaseIndex, before.phaseIndex);
      assert.equal(state.phaseStartedMs, before.phaseStartedMs);
      assert.deepEqual(state.handQueue, ["m1"]);
    }
    assert.deepEqual(seen.fac.map((e) => e.state), ["reconnecting", "open"]);
    // The credentials outlived the process: the server stored them with the session.
    for (const id of ["fac", "m1"])
      assert.match(server.log(), new RegExp(`member resumes session=${created.session_id} participant=${id}\\b`));
    await heardChat(fac, m1, "still here");
    assert.notEqual(fac.securityCode, codeBefore, "new keys after the restart");
    assert.equal(m1.securityCode, fac.securityCode);
  });
});
