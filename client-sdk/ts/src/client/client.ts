// A client for one Balint Room session connection, for browsers and Node.
//
//   const client = new Client();
//   client.on("state", (state) => draw(state));
//   await client.connect(parseJoinLink(location.href));
//   const result = await client.send(cmd.nextPhase());
//
// The state store is the server's latest SessionState, replaced whole on
// every broadcast: the application never patches it. Handlers run in the
// order the server sent the messages; a state is stored before its
// handlers run, and a command's result resolves after the state that
// reflects it was delivered.
import { type MessageInitShape, create, fromBinary, toBinary } from "@bufbuild/protobuf";

import {
  CAMERA_TRACK,
  type FrameFlags,
  type MediaHeader,
  MICROPHONE_TRACK,
  NO_FLAGS,
  readMediaHeader,
} from "../e2ee/media.js";
import { ready } from "../e2ee/sodium.js";
import {
  ClientMessageSchema,
  type Command,
  type CommandResult,
  CommandResultSchema,
  ErrorCode,
  type Event,
  type Goodbye,
  GoodbyeReason,
  type Member,
  type ServerMessage,
  ServerMessageSchema,
  type SessionState,
  type Welcome,
} from "../gen/balint/v1/balint_pb.js";
import { type ChatMessage, E2eeSession, type SecurityNotice } from "./e2eeSession.js";
import { ClientErrorCode, ConnectError } from "./errors.js";
import { checkJoin } from "./joinCheck.js";
import { type JoinTarget, socketUrl } from "./joinLink.js";
import { type VideoChunk, type VideoFrame, cameraPlaintext, readCameraPlaintext } from "./video.js";

/** The part of the WHATWG WebSocket the client uses; the browser's, or the `ws` package's in Node. */
export interface SocketLike {
  binaryType: string;
  readonly bufferedAmount: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
}
export type SocketFactory = (url: string) => SocketLike;

export interface ClientOptions {
  /** Opens the socket; default: the global WebSocket. */
  socket?: SocketFactory;
  /** Longest time connect() waits for the socket, Welcome, the first state and the keys' acceptance. */
  connectTimeoutMs?: number;
  /** Default time send() waits for a command's result. */
  commandTimeoutMs?: number;
  /**
   * Bytes that may wait in the socket before sendMedia() drops frames;
   * sendVideo() drops past an eighth of it, so that a weak uplink's video
   * never stands long in front of the audio (the socket keeps no order of its own).
   */
  maxQueuedBytes?: number;
  /** A steady clock in milliseconds; default performance.now(). */
  now?: () => number;
  /**
   * Whether a connection the network dropped, or a restarting server ended,
   * is made again by itself (true by default), waiting these times between
   * attempts (the last repeats), each stretched or shrunk by up to a quarter
   * at random so that a room full of clients does not come back in one
   * burst. Attempts resume the membership with the credential of the latest
   * Welcome, so an expired join link does not matter; once the server
   * refuses the credential they go on with the link's token.
   */
  reconnect?: boolean;
  reconnectDelaysMs?: number[];
  /** For the link or credential check when reconnecting fails; default the global fetch. */
  fetch?: typeof fetch;
}

/**
 * idle: never connected; connecting: the first connect(); open; reconnecting:
 * the network dropped an open connection, or the server said it is
 * restarting, and the client is making it again (commands answer
 * NOT_CONNECTED, 1001, meanwhile); closed: over, by the application, the server
 * (a Goodbye: removed, replaced, the session ended) or a link the server now
 * refuses.
 */
export type ConnectionState = "idle" | "connecting" | "open" | "reconnecting" | "closed";

/** Why a connection that was open ended. */
export interface CloseInfo {
  /** The server's Goodbye reason if it sent one, else the close frame's reason, else what happened. */
  reason: string;
  byServer: boolean;
  /**
   * Why the server said Goodbye, or null if it did not. RESTARTING is a drop,
   * not an end: the client reconnects by itself (unless reconnect is off).
   */
  goodbye: GoodbyeReason | null;
  code: number; // The WebSocket close code.
}

/** A microphone frame as opened: `payload` is what the sender passed to sendMedia(). */
export interface MediaFrame {
  senderId: string;
  track: number;
  payload: Uint8Array;
}

/** Why a key frame of this member's camera is wanted. */
export enum KeyFrameReason {
  /** The server asks (for a receiver who joined, resumed or lost frames), at most every 500 ms. */
  ASKED = 0,
  /** The server took this member's keys of a new epoch: whoever just got them cannot decode the frames before. */
  NEW_KEYS = 1,
}

export interface ClientEvents {
  state: (state: SessionState, previous: SessionState | null) => void;
  event: (event: Event) => void;
  media: (frame: MediaFrame) => void;
  /**
   * A camera chunk as opened, as the sender passed it to sendVideo(). After
   * a gap the first is a key frame: the server sends none the receiver
   * could not decode.
   */
  video: (frame: VideoFrame) => void;
  /** Send a key frame of this member's camera soon; `why` says who needs it. */
  keyFrameRequest: (why: KeyFrameReason) => void;
  chat: (message: ChatMessage) => void;
  security: (notice: SecurityNotice) => void;
  /**
   * Every change of state. `info` says how an open connection ended (with
   * "reconnecting" or "closed"; `info.goodbye` is RESTARTING when the
   * server is restarting), or why reconnecting gave up; null otherwise (a failed
   * connect() rejects with the reason).
   */
  connection: (state: ConnectionState, info: CloseInfo | null) => void;
}

type Body = MessageInitShape<typeof ClientMessageSchema>["body"];

// One connect() in progress; settle() resolves it (null) or rejects it, once.
interface Attempt {
  settle(error: ConnectError | null): void;
}

interface Pending {
  resolve: (result: CommandResult) => void;
  timer: ReturnType<typeof setTimeout>;
  onResult?: (result: CommandResult) => void;
}

const defaults = {
  connectTimeoutMs: 10_000,
  commandTimeoutMs: 5_000,
  maxQueuedBytes: 256 * 1024,
  reconnectDelaysMs: [500, 1000, 2000, 4000, 8000, 10_000],
  // Used when the Welcome does not say (a server older than Heartbeat).
  silenceTimeoutMs: 4_000,
};

function clientResult(requestId: bigint, code: ErrorCode, message: string): CommandResult {
  return create(CommandResultSchema, { requestId, code, message });
}

function globalSocket(url: string): SocketLike {
  const Ctor = (globalThis as { WebSocket?: new (url: string) => SocketLike }).WebSocket;
  if (Ctor === undefined) throw new ConnectError("network", "no WebSocket here: pass options.socket");
  return new Ctor(url);
}

export class Client {
  private readonly options: Required<ClientOptions>;
  private readonly handlers: { [K in keyof ClientEvents]: Set<ClientEvents[K]> } = {
    state: new Set(),
    event: new Set(),
    media: new Set(),
    video: new Set(),
    keyFrameRequest: new Set(),
    chat: new Set(),
    security: new Set(),
    connection: new Set(),
  };
  private socket: SocketLike | null = null;
  private connState: ConnectionState = "idle";
  private latest: SessionState | null = null;
  private latestAt = 0; // options.now() when `latest` arrived.
  private welcomeMsg: Welcome | null = null;
  private closeInfo: CloseInfo | null = null;
  private goodbye: Goodbye | null = null; // The server's Goodbye on this connection.
  // The latest Welcome's credential for resuming this membership, good for
  // one resume; "" when none is held. In memory only, never exposed.
  private resumeCredential = "";
  private e2ee: E2eeSession | null = null;
  private videoPaused = false; // setVideoPaused(true): said again to every new connection.
  private nextRequestId = 1n;
  private readonly pending = new Map<bigint, Pending>();
  private expiryTimer: ReturnType<typeof setTimeout> | null = null;
  private attempt: Attempt | null = null;
  private target: JoinTarget | null = null;
  private reconnecting = false; // Between a drop and the connection made again (or given up).
  private closeTimer: ReturnType<typeof setTimeout> | null = null;
  // While open: notices a network that went silent without closing.
  private watchdog: ReturnType<typeof setInterval> | null = null;
  private lastHeardAt = 0; // options.now() when the server was last heard.
  private lastHeartbeatAt = 0;

  constructor(options: ClientOptions = {}) {
    this.options = {
      socket: options.socket ?? globalSocket,
      connectTimeoutMs: options.connectTimeoutMs ?? defaults.connectTimeoutMs,
      commandTimeoutMs: options.commandTimeoutMs ?? defaults.commandTimeoutMs,
      maxQueuedBytes: options.maxQueuedBytes ?? defaults.maxQueuedBytes,
      now: options.now ?? (() => performance.now()),
      reconnect: options.reconnect ?? true,
      reconnectDelaysMs: options.reconnectDelaysMs?.length ? options.reconnectDelaysMs : defaults.reconnectDelaysMs,
      // Looked up when used: a page may install its own fetch after this client is made.
      fetch: options.fetch ?? (((input: string | URL, init?: RequestInit) => fetch(input, init)) as typeof fetch),
    };
  }

  /** Adds a handler; returns what removes it. */
  on<K extends keyof ClientEvents>(name: K, handler: ClientEvents[K]): () => void {
    this.handlers[name].add(handler);
    return () => this.handlers[name].delete(handler);
  }

  /**
   * Opens the socket and resolves once Welcome and the first state arrived
   * and the server took this connection's end-to-end keys (made afresh for
   * every connection). Rejects with a ConnectError. A browser is not told
   * why a server refused a WebSocket; checkJoin() asks over HTTP.
   */
  connect(target: JoinTarget): Promise<void> {
    if (this.connState === "connecting" || this.connState === "open" || this.connState === "reconnecting")
      return Promise.reject(new ConnectError("network", "already connected"));
    this.target = target;
    this.resumeCredential = "";
    this.setConnection("connecting", null);
    return this.open(target);
  }

  // One attempt: socket, Welcome, first state, keys taken; with a resume
  // credential, that instead of the token. On failure the state goes back
  // to "reconnecting" while the client is reconnecting.
  private open(target: JoinTarget, resumeCredential = ""): Promise<void> {
    this.reset();
    return new Promise<void>((resolve, reject) => {
      const attempt: Attempt = {
        settle: (error) => {
          if (this.attempt !== attempt) return;
          this.attempt = null;
          clearTimeout(timer);
          if (error === null) {
            this.watch();
            if (this.videoPaused) void this.request({ case: "videoReception", value: { paused: true } }, this.options.commandTimeoutMs);
            this.setConnection("open", null);
            resolve();
          } else {
            this.teardown(error.message, false, 1000, this.reconnecting ? "reconnecting" : "closed");
            reject(error);
          }
        },
      };
      this.attempt = attempt;
      const timer = setTimeout(
        () => attempt.settle(new ConnectError("timeout", `no answer from ${target.wsUrl} within ${this.options.connectTimeoutMs} ms`)),
        this.options.connectTimeoutMs,
      );
      ready()
        .then(() => {
          if (this.attempt !== attempt) return; // Closed or timed out meanwhile.
          let socket: SocketLike;
          try {
            socket = this.options.socket(socketUrl(target, resumeCredential));
          } catch {
            // Not the error itself: a browser's names the URL, and the URL holds the token or credential.
            return attempt.settle(new ConnectError("network", `cannot open a WebSocket to ${target.wsUrl}`));
          }
          socket.binaryType = "arraybuffer";
          this.socket = socket;
          socket.onmessage = (event) => this.receive(event.data);
          socket.onerror = () => {};
          socket.onclose = (event) => {
            if (this.attempt === attempt) {
              const why = this.goodbye?.message ?? (event.reason || `the server refused or could not be reached (close code ${event.code})`);
              attempt.settle(new ConnectError(event.code === 1006 ? "network" : "closed", `cannot join: ${why}`));
            } else {
              this.dropped(this.goodbye?.message ?? (event.reason || "connection lost"), event.code);
            }
          };
        })
        .catch(() => attempt.settle(new ConnectError("network", "the encryption library did not load")));
    });
  }

  /** Sends a command and resolves with its result; never rejects (client-side failures carry ClientErrorCode). */
  send(command: Command, timeoutMs = this.options.commandTimeoutMs): Promise<CommandResult> {
    if (this.connState !== "open") return Promise.resolve(clientResult(0n, ClientErrorCode.NOT_CONNECTED, "not connected"));
    return this.request({ case: "command", value: command }, timeoutMs);
  }

  /**
   * Seals a chat message (at most 4000 bytes of UTF-8) to the whole session
   * or one member and resolves with the server's answer: PHASE_FORBIDS when
   * the phase silences this member. Sealed again once if the membership
   * changed on the way (STALE_EPOCH).
   */
  async sendChat(text: string, recipientId = ""): Promise<CommandResult> {
    for (let attempt = 0; ; attempt++) {
      const e2ee = this.e2ee;
      if (this.connState !== "open" || e2ee === null) return clientResult(0n, ClientErrorCode.NOT_CONNECTED, "not connected");
      let upload;
      try {
        upload = e2ee.sealChat(text, recipientId);
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === "too_long") return clientResult(0n, ErrorCode.INVALID_ARGUMENT, "a chat message holds at most 4000 bytes");
        if (code === "unknown_sender")
          return clientResult(0n, ErrorCode.UNKNOWN_PARTICIPANT, `${recipientId} has no keys in the session now`);
        return clientResult(0n, ClientErrorCode.KEYS_NOT_READY, "the end-to-end keys are not in place yet");
      }
      const result = await this.request({ case: "chat", value: upload }, this.options.commandTimeoutMs);
      if (result.code !== ErrorCode.STALE_EPOCH || attempt > 0) return result;
    }
  }

  /**
   * Seals one microphone frame and queues it; false when not connected,
   * without keys, when the socket is backed up, or for another track (the
   * camera's go through sendVideo()).
   */
  sendMedia(track: number, payload: Uint8Array): boolean {
    return track === MICROPHONE_TRACK && this.sendSealed(track, payload, NO_FLAGS, this.options.maxQueuedBytes);
  }

  /** Seals one camera chunk and queues it, as sendMedia(); forwarded while this member may send video. */
  sendVideo(chunk: VideoChunk): boolean {
    const flags = { keyFrame: chunk.keyFrame, temporalLayer: chunk.temporalLayer };
    return this.sendSealed(CAMERA_TRACK, cameraPlaintext(chunk), flags, this.options.maxQueuedBytes / 8);
  }

  /** Asks the server for a key frame of `senderId`'s camera (this client cannot decode it). Not answered. */
  requestKeyFrame(senderId: string): boolean {
    if (this.connState !== "open") return false;
    this.write({ requestId: 0n, body: { case: "requestKeyFrame", value: { senderId } } });
    return true;
  }

  /** Audio only (paused) or video too; kept across reconnects. */
  setVideoPaused(paused: boolean): Promise<CommandResult> {
    this.videoPaused = paused;
    if (this.connState !== "open") return Promise.resolve(clientResult(0n, ClientErrorCode.NOT_CONNECTED, "not connected"));
    return this.request({ case: "videoReception", value: { paused } }, this.options.commandTimeoutMs);
  }

  private sendSealed(track: number, plaintext: Uint8Array, flags: FrameFlags, maxQueued: number): boolean {
    const socket = this.socket;
    if (this.connState !== "open" || socket === null || this.e2ee === null) return false;
    if (socket.bufferedAmount > maxQueued) return false;
    const sealed = this.e2ee.sealMedia(track, plaintext, flags);
    if (sealed === null) return false;
    this.write({ requestId: 0n, body: { case: "media", value: { track, payload: sealed } } });
    return true;
  }

  /** The server's latest state; null before the first. */
  get state(): SessionState | null {
    return this.latest;
  }
  /** The latest Welcome, its resume credential blanked (the client keeps that to itself). */
  get welcome(): Welcome | null {
    return this.welcomeMsg;
  }
  get participantId(): string {
    return this.welcomeMsg?.participantId ?? "";
  }
  get connection(): ConnectionState {
    return this.connState;
  }
  get closed(): CloseInfo | null {
    return this.closeInfo;
  }
  /** This member's roster entry in the latest state. */
  get me(): Member | undefined {
    return this.latest?.roster.find((m) => m.participantId === this.participantId);
  }
  /** Digits in groups of five from everyone's keys; "" before the first epoch. */
  get securityCode(): string {
    return this.e2ee?.securityCode ?? "";
  }
  /** This epoch's keys are complete: the server took mine and every other member's arrived. */
  get keysReady(): boolean {
    return this.e2ee?.ready ?? false;
  }
  get undecryptableMediaFrames(): number {
    return this.e2ee?.mediaDropped ?? 0;
  }

  /** The server's clock now, in Unix milliseconds, from the latest state; 0 before it. */
  serverNow(): number {
    if (this.latest === null) return 0;
    return Number(this.latest.serverTimeMs) + (this.options.now() - this.latestAt);
  }

  /** Resolves with the first state (the current one included) that satisfies `predicate`; rejects on timeout or close. */
  waitFor(predicate: (state: SessionState) => boolean, timeoutMs = this.options.commandTimeoutMs): Promise<SessionState> {
    return new Promise((resolve, reject) => {
      if (this.latest !== null && predicate(this.latest)) return resolve(this.latest);
      const done = (error: Error | null, state?: SessionState) => {
        clearTimeout(timer);
        offState();
        offConnection();
        if (error) reject(error);
        else resolve(state!);
      };
      const timer = setTimeout(() => done(new Error(`no such state within ${timeoutMs} ms`)), timeoutMs);
      const offState = this.on("state", (state) => predicate(state) && done(null, state));
      const offConnection = this.on("connection", (s) => s === "closed" && done(new Error("connection closed")));
    });
  }

  /** Resolves true once keysReady holds, false on timeout or close. */
  async waitKeysReady(timeoutMs = this.options.commandTimeoutMs): Promise<boolean> {
    const deadline = this.options.now() + timeoutMs;
    while (!this.keysReady) {
      if (this.connState !== "open" || this.options.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 10));
    }
    return true;
  }

  /**
   * Closes the connection (after what is queued) and resolves once it is
   * closed; a connect() in progress rejects with code "closed". Idempotent.
   */
  close(): Promise<void> {
    this.reconnecting = false;
    if (this.attempt !== null) {
      this.attempt.settle(new ConnectError("closed", "closed by client"));
      return Promise.resolve();
    }
    if (this.connState === "reconnecting") {
      // Between two attempts: nothing is open.
      this.setConnection("closed", this.closeInfo);
      return Promise.resolve();
    }
    const socket = this.socket;
    if (socket === null || this.connState !== "open") return Promise.resolve();
    return new Promise((resolve) => {
      const off = this.on("connection", (s) => {
        if (s !== "closed") return;
        off();
        resolve();
      });
      socket.onclose = (event) => this.teardown("closed by client", false, event.code);
      socket.close(1000, "closed by client");
      // A server that never answers the close does not hold us up.
      this.closeTimer = setTimeout(() => this.teardown("closed by client", false, 1006), 2000);
    });
  }

  // --- internals ------------------------------------------------------------

  private reset(): void {
    this.latest = null;
    this.welcomeMsg = null;
    this.closeInfo = null;
    this.goodbye = null;
    this.e2ee = null;
  }

  private request(body: Body, timeoutMs: number, onResult?: (r: CommandResult) => void): Promise<CommandResult> {
    const requestId = this.nextRequestId++;
    if (this.connState === "idle" || this.connState === "closed" || this.socket === null)
      return Promise.resolve(clientResult(requestId, ClientErrorCode.NOT_CONNECTED, "not connected"));
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        resolve(clientResult(requestId, ClientErrorCode.TIMEOUT, `no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(requestId, { resolve, timer, onResult });
      this.write({ requestId, body });
    });
  }

  private write(message: MessageInitShape<typeof ClientMessageSchema>): void {
    this.socket?.send(toBinary(ClientMessageSchema, create(ClientMessageSchema, message)));
  }

  // A dead network (Wi-Fi gone, a laptop lid shut) often sends neither a
  // close nor a reset: the socket stays "open" and silent. Whenever the
  // server has been quiet for a third of the Welcome's silence timeout the
  // client sends a Heartbeat, which the server answers; after all of it
  // with nothing heard the connection counts as dropped and is made again.
  private watch(): void {
    const silenceMs = this.welcomeMsg?.clientSilenceTimeoutMs || defaults.silenceTimeoutMs;
    this.lastHeardAt = this.lastHeartbeatAt = this.options.now();
    this.watchdog = setInterval(() => {
      const now = this.options.now();
      if (now - this.lastHeardAt >= silenceMs)
        return this.dropped(`nothing heard from the server for ${silenceMs / 1000} s`, 1006);
      if (now - this.lastHeardAt >= silenceMs / 3 && now - this.lastHeartbeatAt >= silenceMs / 3) {
        this.lastHeartbeatAt = now;
        this.write({ requestId: 0n, body: { case: "heartbeat", value: {} } });
      }
    }, Math.max(50, silenceMs / 10));
    // In Node, a watchdog alone does not keep the process alive (the socket does).
    (this.watchdog as { unref?: () => void }).unref?.();
  }

  private receive(data: unknown): void {
    this.lastHeardAt = this.options.now();
    if (!(data instanceof ArrayBuffer)) return; // The protocol is binary only.
    let message: ServerMessage;
    try {
      message = fromBinary(ServerMessageSchema, new Uint8Array(data));
    } catch {
      return this.protocolError("the server sent a message that does not decode");
    }
    const body = message.body;
    switch (body.case) {
      case "welcome":
        // Each Welcome's credential replaces the last: the server honours only the newest.
        this.resumeCredential = body.value.resumeCredential;
        body.value.resumeCredential = "";
        this.welcomeMsg = body.value;
        this.e2ee = new E2eeSession(body.value.sessionId, body.value.participantId);
        return;
      case "state":
        return this.onState(body.value);
      case "result":
        return this.onResult(body.value);
      case "event":
        if (body.value.kind.case === "sessionEnded") this.e2ee?.wipe();
        return this.emit("event", body.value);
      case "media": {
        const payload = this.e2ee?.openMedia(body.value) ?? null;
        if (payload === null) return;
        const { senderId, track } = body.value;
        if (track !== CAMERA_TRACK) return this.emit("media", { senderId, track, payload });
        const chunk = readCameraPlaintext(payload);
        // It opened, so its header is the sender's.
        const { flags } = readMediaHeader(body.value.payload, track) as MediaHeader;
        if (chunk !== null) this.emit("video", { senderId, ...chunk, ...flags });
        return;
      }
      case "requestKeyFrame":
        return this.emit("keyFrameRequest", KeyFrameReason.ASKED);
      case "chat": {
        if (this.e2ee === null) return;
        const opened = this.e2ee.openChat(body.value);
        if ("text" in opened) this.emit("chat", opened);
        else this.emit("security", opened);
        return;
      }
      case "senderKey": {
        const notice = this.e2ee?.onSenderKey(body.value) ?? null;
        if (notice !== null) this.emit("security", notice);
        return;
      }
      case "goodbye":
        this.goodbye = body.value;
        return;
      case "heartbeat":
        return; // Heard: that was all it was for.
    }
  }

  private onState(state: SessionState): void {
    const previous = this.latest;
    this.latest = state;
    this.latestAt = this.options.now();
    const e2ee = this.e2ee;
    if (e2ee !== null) {
      if (previous === null) this.announce(state, e2ee);
      const change = e2ee.onState(state, this.options.now());
      if (change.upload !== undefined) {
        const epoch = change.upload.epoch;
        void this.request({ case: "senderKeys", value: change.upload }, this.options.commandTimeoutMs, (result) => {
          if (result.code !== ErrorCode.OK) return;
          e2ee.uploadTaken(epoch);
          this.emit("keyFrameRequest", KeyFrameReason.NEW_KEYS);
        });
      }
      for (const notice of change.notices) this.emit("security", notice);
      this.scheduleExpiry();
    }
    this.emit("state", state, previous);
  }

  // The first state lists me: publish this connection's keys, and count the
  // connection open once the server took them.
  private announce(state: SessionState, e2ee: E2eeSession): void {
    const command = e2ee.announcement(state);
    if (command === null) return this.protocolError("the roster does not list this member");
    void this.request({ case: "command", value: command }, this.options.connectTimeoutMs, (result) => {
      if (result.code === ErrorCode.OK) this.attempt?.settle(null);
      else this.attempt?.settle(new ConnectError("keys", `the server refused this connection's keys: ${result.message}`));
    });
  }

  private onResult(result: CommandResult): void {
    const waiting = this.pending.get(result.requestId);
    if (waiting === undefined) return;
    this.pending.delete(result.requestId);
    clearTimeout(waiting.timer);
    waiting.onResult?.(result);
    waiting.resolve(result);
  }

  private scheduleExpiry(): void {
    if (this.expiryTimer !== null) clearTimeout(this.expiryTimer);
    this.expiryTimer = null;
    const at = this.e2ee?.nextExpiry() ?? null;
    if (at === null) return;
    this.expiryTimer = setTimeout(() => {
      this.e2ee?.expire(this.options.now());
      this.scheduleExpiry();
    }, Math.max(0, at - this.options.now()) + 1);
  }

  // An open connection ended without the client asking. A Goodbye is the
  // server ending it on purpose (removed, replaced, the session over): final.
  // A restarting server's Goodbye is not (it keeps the session and wants
  // everyone back), nor is anything else (the network): those are made
  // again, unless the application said not to.
  private dropped(reason: string, code: number): void {
    this.reconnecting = this.options.reconnect && (this.goodbye === null || this.goodbye.reason === GoodbyeReason.RESTARTING);
    this.teardown(reason, true, code, this.reconnecting ? "reconnecting" : "closed");
    if (this.reconnecting) void this.reconnectLoop();
  }

  // Each attempt resumes the membership with the credential while one is
  // held (no join token needed, so an expired link does not matter), else
  // joins with the link's token.
  private async reconnectLoop(): Promise<void> {
    const delays = this.options.reconnectDelaysMs;
    let wait = true;
    for (let attempt = 0; this.reconnecting && this.target !== null; attempt++) {
      const delay = delays[Math.min(attempt, delays.length - 1)]!;
      if (wait) await new Promise((r) => setTimeout(r, delay * (0.75 + Math.random() * 0.5)));
      wait = true;
      if (!this.reconnecting) return;
      const credential = this.resumeCredential;
      try {
        await this.open(this.target, credential);
        this.reconnecting = false;
        return;
      } catch {
        if (!this.reconnecting) return;
        // 503: the server is restarting and asks to be tried again; an
        // unreachable server (null) is worth another try too.
        const askAbout = credential !== "" ? { wsUrl: this.target.wsUrl, resumeCredential: credential } : this.target;
        const check = await checkJoin(askAbout, this.options.fetch).catch(() => null);
        if (!this.reconnecting || check === null || check.ok || check.status === 503) continue;
        if (credential !== "") {
          // The credential is spent or void (the member signed in elsewhere,
          // left, the session is gone): the link decides now, at once, since
          // the server is there to answer.
          if (this.resumeCredential === credential) this.resumeCredential = "";
          wait = false;
          continue;
        }
        // A link the server now refuses (the session ended, the member was
        // removed) ends the retries.
        this.reconnecting = false;
        this.closeInfo = {
          reason: check.message,
          byServer: true,
          goodbye: null,
          code: this.closeInfo?.code ?? 1006,
        };
        this.setConnection("closed", this.closeInfo);
      }
    }
  }

  // The server broke the protocol: a connect() in progress fails, an open
  // connection is closed (nothing sensible can follow).
  private protocolError(reason: string): void {
    if (this.attempt !== null) return this.attempt.settle(new ConnectError("closed", reason));
    this.teardown(reason, true, 1002);
  }

  private teardown(reason: string, byServer: boolean, code: number, next: "closed" | "reconnecting" = "closed"): void {
    if (this.connState === "closed" || this.connState === "idle") return;
    if (this.closeTimer !== null) clearTimeout(this.closeTimer);
    this.closeTimer = null;
    if (this.watchdog !== null) clearInterval(this.watchdog);
    this.watchdog = null;
    const socket = this.socket;
    this.socket = null;
    if (socket !== null) {
      socket.onmessage = null;
      socket.onclose = null;
      try {
        socket.close(1000);
      } catch {
        // Already closing.
      }
    }
    this.e2ee?.wipe();
    if (this.expiryTimer !== null) clearTimeout(this.expiryTimer);
    this.expiryTimer = null;
    for (const [id, waiting] of this.pending) {
      clearTimeout(waiting.timer);
      waiting.resolve(clientResult(id, ClientErrorCode.CONNECTION_CLOSED, `the connection closed: ${reason}`));
    }
    this.pending.clear();
    // A connect() that failed has its rejection for a reason; only a
    // connection that was open reports how it ended.
    const wasOpen = this.connState === "open";
    if (wasOpen || next === "closed")
      this.closeInfo = { reason, byServer, goodbye: this.goodbye?.reason ?? null, code };
    if (next === "closed") this.setConnection("closed", wasOpen ? this.closeInfo : null);
    else if (this.connState !== "reconnecting") this.setConnection("reconnecting", this.closeInfo);
  }

  private setConnection(state: ConnectionState, info: CloseInfo | null): void {
    if (state === "closed") this.resumeCredential = ""; // Nothing will resume: hold no secret longer than needed.
    this.connState = state;
    this.emit("connection", state, info);
  }

  private emit<K extends keyof ClientEvents>(name: K, ...args: Parameters<ClientEvents[K]>): void {
    for (const handler of [...this.handlers[name]]) {
      try {
        (handler as (...a: Parameters<ClientEvents[K]>) => void)(...args);
      } catch (error) {
        // One application handler's fault must not stop the others or the client.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
