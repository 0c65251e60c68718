// One person in one live session: the connection (and getting it back when
// the network drops or the server restarts), the audio both ways, and the
// screens, redrawn from the server's state on every change.
import {
  type CloseInfo,
  Client,
  type ConnectionState,
  type JoinTarget,
  type SecurityNotice,
  checkJoin,
  cmd,
  v1,
} from "@balint-room/sdk";

import type { Microphone } from "./audio/microphone.js";
import { Speaker } from "./audio/speaker.js";
import { type Connection, connectionText } from "./model/connection.js";
import { joinProblem } from "./model/joinProblem.js";
import { type SessionView, viewOf } from "./model/session.js";
import { h, replaceChildren } from "./ui/dom.js";
import { startTicker } from "./ui/ticker.js";
import type { Actions } from "./views/actions.js";
import { banner } from "./views/banner.js";
import { ChatPanel } from "./views/chat.js";
import { facilitatorConsole } from "./views/console.js";
import { endScreen, refusedScreen } from "./views/ended.js";
import { goAround, turnPrompt } from "./views/goAround.js";
import { myControls } from "./views/myControls.js";
import { roomDisplay } from "./views/roomDisplay.js";
import { roster } from "./views/roster.js";

// Waits between attempts at the first connection, in ms; the last repeats.
const backoffMs = [500, 1000, 2000, 4000, 8000, 10000];

// Counts of audio frames, for support and the browser tests: how many this
// page sent, how many arrived (and opened) from each member, how many the
// speaker decoded, and the loudest its mix has played (RMS, 0..1). Counts only.
const stats = { sent: 0, received: {} as Record<string, number>, decoded: 0, loudest: 0 };
(globalThis as { balintAudioStats?: typeof stats }).balintAudioStats = stats;

export class LiveSession implements Actions {
  private readonly client = new Client();
  private readonly chat: ChatPanel;
  private readonly status = h("p", { class: "connection", role: "status", "data-testid": "connection" });
  private readonly toast = h("p", { class: "toast", role: "alert", "data-testid": "toast" });
  private readonly title = h("h1", {}, "Balint Room");
  private readonly top = h("div", { class: "top-regions" });
  private readonly left = h("div", { class: "column" });
  private readonly layout: HTMLElement;
  private speaker: Speaker | null = null;
  private micOn = true;
  private shownCode = "";
  private view: SessionView | null = null;
  private leaving = false;
  private wasOpen = false; // Connected once: the next "open" is a reconnection.
  private finished = false;
  private stopTicker: () => void = () => {};
  private toastTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly unsubscribe: (() => void)[];
  private readonly resumeAudio = () => void this.speaker?.resume().catch(() => {});

  constructor(
    private readonly root: HTMLElement,
    private readonly target: JoinTarget,
    private microphone: Microphone | null,
    private micProblem: string,
  ) {
    this.chat = new ChatPanel((text, to) => this.client.sendChat(text, to));
    this.layout = h("div", { class: "grid" }, this.left, h("aside", { class: "column" }, this.chat.element));
    this.unsubscribe = [
      this.client.on("state", (state) => this.onState(state)),
      this.client.on("chat", (message) => this.chat.add(message)),
      this.client.on("security", (notice) => this.onSecurity(notice)),
      this.client.on("media", (frame) => {
        stats.received[frame.senderId] = (stats.received[frame.senderId] ?? 0) + 1;
        this.speaker?.push(frame.senderId, frame.payload);
        stats.decoded = this.speaker?.stats.framesDecoded ?? 0;
        stats.loudest = Math.max(stats.loudest, this.speaker?.outputLevel ?? 0);
      }),
      this.client.on("connection", (state, info) => this.onConnection(state, info)),
    ];
    if (this.microphone !== null) {
      this.microphone.onFrame = (frame) => {
        if (this.client.sendMedia(0, frame)) stats.sent += 1;
      };
      // Unplugged, or the browser took it back: say so, and stop claiming it is on.
      this.microphone.onError = (error) => {
        this.microphone?.close();
        this.microphone = null;
        this.micProblem = error.message;
        this.showToast(this.micProblem);
        if (this.view !== null) this.draw(this.view);
      };
    }
  }

  /** Connects (retrying while the network is away) and draws the session. */
  async start(): Promise<void> {
    replaceChildren(
      this.root,
      h("header", { class: "top" }, this.title, this.status),
      this.toast,
      h("main", { class: "live" }, this.top, this.layout),
    );
    this.setConnection("connecting");
    this.stopTicker = startTicker(() => this.client.serverNow());
    // Browsers start audio only after a gesture; Join was one, and any later click is too.
    document.addEventListener("click", this.resumeAudio);
    this.speaker = await Speaker.open().catch(() => null);
    if (this.speaker === null) this.micProblem ||= "Sound cannot play in this browser: you can follow the session and chat.";
    await this.firstConnect();
  }

  // --- Actions (what the views call) ---------------------------------------

  send(command: v1.Command, what: string): void {
    void this.client.send(command).then((result) => {
      if (result.code !== v1.ErrorCode.OK) this.showToast(`Could not ${what}: ${result.message}`);
    });
  }

  confirm(question: string): boolean {
    return window.confirm(question);
  }

  // --- the connection ------------------------------------------------------

  // The first connection. Later drops are the SDK's to mend (it reconnects
  // by itself and says so through "connection" events).
  private async firstConnect(): Promise<void> {
    for (let attempt = 0; !this.finished; attempt++) {
      try {
        return await this.client.connect(this.target);
      } catch {
        // Refused (ended, revoked, full) is final; unreachable, or a server
        // that is restarting (503), is worth another try.
        const check = await checkJoin(this.target).catch(() => null);
        if (check !== null && !check.ok && check.status !== 503)
          return this.finish(joinProblem(check.code, check.message), true);
        const wait = backoffMs[Math.min(attempt, backoffMs.length - 1)]!;
        await new Promise((r) => setTimeout(r, wait * (0.75 + Math.random() * 0.5)));
      }
    }
  }

  private onConnection(state: ConnectionState, info: CloseInfo | null): void {
    if (this.finished) return;
    if (state === "reconnecting") return this.setConnection("reconnecting", info?.restarting ?? false);
    if (state === "open") {
      if (this.wasOpen) this.chat.notice("Reconnected. Messages sent while you were away cannot be shown: they were never stored.");
      this.wasOpen = true;
      return this.setConnection("connected");
    }
    if (state !== "closed" || info === null) return; // A first attempt that failed: firstConnect() goes on.
    if (this.leaving) return this.finish("You left the session");
    // A Goodbye is the server ending this connection on purpose (removed,
    // the session over, the same link used elsewhere); otherwise the SDK
    // gave up reconnecting because the server now refuses the link.
    this.finish(info.goodbye ? `Disconnected: ${info.reason}` : info.reason, !info.goodbye);
  }

  private setConnection(state: Connection, serverRestarting = false): void {
    this.status.textContent = connectionText(state, serverRestarting);
    this.status.dataset.state = state;
  }

  // --- what the server says ------------------------------------------------

  private onState(state: v1.SessionState): void {
    const view = viewOf(state, this.client.participantId);
    const before = this.view;
    this.view = view;
    if (view.ended) return this.finish("The session has ended");
    if (view.myTurn && !before?.myTurn) this.showToast(view.myTurnFor ? `${view.myTurnFor}'s turn` : "It's your turn");
    if (this.microphone !== null) this.microphone.enabled = this.micOn && (view.me?.maySpeak ?? false);
    this.draw(view);
  }

  private onSecurity(notice: SecurityNotice): void {
    if (notice.kind === "code_changed") {
      // The first code is not a change anyone needs telling about.
      if (this.shownCode !== "") this.chat.notice("Membership changed: compare the security code again.");
      this.shownCode = notice.securityCode;
    } else {
      this.chat.notice(notice.detail);
    }
    if (this.view !== null) this.draw(this.view);
  }

  private draw(view: SessionView): void {
    const phase = view.phase?.name ?? "Waiting to start";
    document.title = `${phase} · ${view.name}`;
    this.title.textContent = view.name;
    this.chat.update(view, this.client.securityCode);
    const mic = { available: this.microphone !== null, on: this.micOn, problem: this.micProblem };
    const toggleMic = () => {
      this.micOn = !this.micOn;
      if (this.microphone !== null) this.microphone.enabled = this.micOn && (view.me?.maySpeak ?? false);
      if (this.view !== null) this.draw(this.view);
    };
    const leave = () => {
      this.leaving = true;
      void this.client.send(cmd.leave()).then((result) => {
        if (result.code === v1.ErrorCode.OK) return;
        this.leaving = false; // Still in: a later drop must reconnect, not end.
        this.showToast(`Could not leave: ${result.message}`);
      });
    };
    if (view.roomDevice) {
      this.layout.classList.add("room");
      replaceChildren(this.top, roomDisplay(view, this.client.securityCode, this), turnPrompt(view, this));
      replaceChildren(this.left, myControls(view, mic, toggleMic, this, leave));
      return;
    }
    replaceChildren(
      this.top,
      banner(view),
      turnPrompt(view, this),
      view.showGroundRules
        ? h("section", { class: "panel ground-rules", "aria-label": "Ground rules", "data-testid": "ground-rules" }, h("h3", {}, "Ground rules"), h("p", {}, view.groundRules))
        : null,
    );
    replaceChildren(
      this.left,
      myControls(view, mic, toggleMic, this, leave),
      facilitatorConsole(view, this),
      goAround(view, this),
      roster(view, this),
    );
  }

  private showToast(text: string): void {
    this.toast.textContent = text;
    if (this.toastTimer !== null) clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(() => (this.toast.textContent = ""), 6000);
  }

  // Everything of the session leaves the page: chat, keys, audio.
  private finish(reason: string, refused = false): void {
    if (this.finished) return;
    this.finished = true;
    for (const off of this.unsubscribe) off();
    document.removeEventListener("click", this.resumeAudio);
    this.chat.wipe();
    this.stopTicker();
    this.microphone?.close();
    this.microphone = null;
    void this.speaker?.close();
    this.speaker = null;
    void this.client.close();
    document.title = "Balint Room";
    replaceChildren(this.root, refused ? refusedScreen(reason) : endScreen(this.view?.name ?? "", reason));
  }
}
