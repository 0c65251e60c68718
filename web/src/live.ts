// One person in one live session: the connection (and getting it back when
// the network drops or the server restarts), the audio both ways, and the
// screens, redrawn from the server's state on every change.
import {
  type CloseInfo,
  Client,
  ClientErrorCode,
  type ConnectionState,
  type JoinTarget,
  type SecurityNotice,
  checkJoin,
  cmd,
  v1,
} from "@balint-room/sdk";

import type { Microphone } from "./audio/microphone.js";
import { Speaker } from "./audio/speaker.js";
import { announcements, newHands } from "./model/announcements.js";
import { type Connection, connectionText, goodbyeText } from "./model/connection.js";
import { joinProblem } from "./model/joinProblem.js";
import { remember } from "./model/recentTimes.js";
import { type SessionView, viewOf } from "./model/session.js";
import { SpeakingLights } from "./model/speakingLights.js";
import { StepGuard } from "./model/stepGuard.js";
import { chime } from "./ui/chime.js";
import { button, h, replaceChildren } from "./ui/dom.js";
import { type Ticker, startTicker } from "./ui/ticker.js";
import type { Actions, PhaseStep } from "./views/actions.js";
import { banner } from "./views/banner.js";
import { ChatPanel } from "./views/chat.js";
import { facilitatorConsole } from "./views/console.js";
import { endScreen, refusedScreen } from "./views/ended.js";
import { goAround, turnPrompt } from "./views/goAround.js";
import { handQueue } from "./views/hands.js";
import { myControls } from "./views/myControls.js";
import { roomAttendees, roomBoard } from "./views/roomDisplay.js";
import { roster } from "./views/roster.js";
import { statusBar } from "./views/statusBar.js";
import { VideoWall } from "./views/videoWall.js";

// Waits between attempts at the first connection, in ms; the last repeats.
const backoffMs = [500, 1000, 2000, 4000, 8000, 10000];
const toastMs = 6000;
const undoMs = 8000; // How long a phase change can be undone from its notice.
const lightsEveryMs = 100;
const handSoundKey = "balint-room.hand-sound"; // A preference of this browser's, nothing of the session.

// Counts of audio frames, for support and the browser tests: how many this
// page sent, how many arrived (and opened) from each member, how many the
// speaker decoded, and the loudest its mix has played (RMS, 0..1); and, for
// the check of audio against video, when the last frames were sent and when
// each member's will play (arrival plus what the jitter buffer holds, by
// Date.now()). Counts and times only.
const stats = {
  sent: 0,
  received: {} as Record<string, number>,
  decoded: 0,
  loudest: 0,
  sentAt: [] as number[],
  playAt: {} as Record<string, number[]>,
};
(globalThis as { balintAudioStats?: typeof stats }).balintAudioStats = stats;

export class LiveSession implements Actions {
  private readonly client = new Client();
  private readonly chat: ChatPanel;
  private readonly video: VideoWall;
  private readonly status = h("p", { class: "connection", role: "status", "data-testid": "connection" });
  private readonly toast = h("div", { class: "toast", role: "status", "data-testid": "toast" });
  // What a screen reader says when the meeting changes for me (model/announcements.ts).
  private readonly announcer = h("p", { class: "visually-hidden", "aria-live": "polite", "data-testid": "announcer" });
  private readonly title = h("h1", {}, "Balint Room");
  private readonly bar = h("div", { class: "bar-slot" });
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
  private ticker: Ticker | null = null;
  private toastTimer: ReturnType<typeof setTimeout> | null = null;
  private lightsTimer: ReturnType<typeof setInterval> | null = null;
  private stepsTimer: ReturnType<typeof setTimeout> | null = null;
  private undoable: PhaseStep | null = null; // The step the notice on screen offers to undo.
  private readonly lights = new SpeakingLights();
  private readonly talkingWhileMuted = new SpeakingLights(1500);
  private readonly phaseGuard = new StepGuard();
  private handSound = localStorage.getItem(handSoundKey) === "on";
  private focusedFirst = false;
  private readonly unsubscribe: (() => void)[];
  private readonly resumeAudio = () => void this.speaker?.resume().catch(() => {});

  constructor(
    private readonly root: HTMLElement,
    private readonly target: JoinTarget,
    private microphone: Microphone | null,
    private micProblem: string,
  ) {
    this.chat = new ChatPanel((text, to) => this.client.sendChat(text, to));
    this.video = new VideoWall({
      sendVideo: (chunk) => this.client.sendVideo(chunk),
      send: (command) => this.client.send(command),
      requestKeyFrame: (senderId) => this.client.requestKeyFrame(senderId),
      setVideoPaused: (paused) => this.client.setVideoPaused(paused),
      audioDelayMs: (senderId) => this.speaker?.bufferedMs(senderId) ?? 0,
    });
    this.layout = h("div", { class: "grid" }, this.left, h("aside", { class: "column" }, this.chat.element));
    this.unsubscribe = [
      this.client.on("state", (state) => this.onState(state)),
      this.client.on("chat", (message) => this.chat.add(message)),
      this.client.on("security", (notice) => this.onSecurity(notice)),
      this.client.on("media", (frame) => {
        stats.received[frame.senderId] = (stats.received[frame.senderId] ?? 0) + 1;
        this.speaker?.push(frame.senderId, frame.payload);
        remember((stats.playAt[frame.senderId] ??= []), Date.now() + (this.speaker?.bufferedMs(frame.senderId) ?? 0));
        stats.decoded = this.speaker?.stats.framesDecoded ?? 0;
        stats.loudest = Math.max(stats.loudest, this.speaker?.outputLevel ?? 0);
      }),
      this.client.on("video", (frame) => this.video.push(frame)),
      this.client.on("keyFrameRequest", () => this.video.keyFrameRequested()),
      this.client.on("connection", (state, info) => this.onConnection(state, info)),
    ];
    if (this.microphone !== null) {
      this.microphone.onFrame = (frame) => {
        if (!this.client.sendMedia(0, frame)) return;
        stats.sent += 1;
        remember(stats.sentAt, Date.now());
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
      h("header", { class: "top" }, h("div", { class: "top-line" }, this.title, this.status), this.bar, this.toast),
      this.announcer,
      h("main", { class: "live" }, this.top, this.video.element, this.layout),
    );
    this.setConnection("connecting");
    this.ticker = startTicker(() => this.client.serverNow());
    this.lightsTimer = setInterval(() => this.showSpeaking(), lightsEveryMs);
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

  get phaseStepsQuiet(): boolean {
    return this.phaseGuard.quietAt(performance.now());
  }

  movePhase(command: v1.Command, what: string, step: PhaseStep | null, { undoing = false } = {}): void {
    // The second press of a double click is dropped; an Undo is not, however soon.
    if (!this.phaseGuard.press(performance.now(), { duringQuiet: undoing })) return;
    void this.client.send(command).then((result) => {
      if (result.code === ClientErrorCode.TIMEOUT) this.phaseGuard.unanswered(); // Maybe applied: the next state tells.
      else this.phaseGuard.answered(performance.now());
      this.redrawWhenStepsHeard();
      if (result.code !== v1.ErrorCode.OK) return this.showToast(`Could not ${what}: ${result.message}`);
      if (step === null) return;
      this.undoable = step;
      this.showToast("Phase changed.", { label: "Undo", run: () => this.undo(step), ms: undoMs });
    });
  }

  // Back to where the step started, by index (a relative step could land two
  // phases away), and only while the session is still where the step put it.
  private undo(step: PhaseStep): void {
    this.undoable = null;
    if (this.view?.phase?.index !== step.to) return this.showToast("The phase has moved on since: nothing undone.");
    this.movePhase(cmd.jumpToPhase(step.from), "undo the phase change", null, { undoing: true });
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
    if (state === "reconnecting") return this.setConnection("reconnecting", info?.goodbye === v1.GoodbyeReason.RESTARTING);
    if (state === "open") {
      if (this.wasOpen) {
        this.chat.notice("Reconnected. Messages sent while you were away cannot be shown: they were never stored.");
        this.video.reconnected();
      }
      this.wasOpen = true;
      return this.setConnection("connected");
    }
    if (state !== "closed" || info === null) return; // A first attempt that failed: firstConnect() goes on.
    if (this.leaving) return this.finish("You left the session");
    // A Goodbye is the server ending this connection on purpose (removed,
    // the session over, the same link used elsewhere); otherwise the SDK
    // gave up reconnecting because the server now refuses the link.
    if (info.goodbye === null) return this.finish(info.reason, true);
    this.finish(goodbyeText(info.goodbye, info.reason));
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
    this.phaseGuard.stateArrived();
    if (view.phase?.index !== before?.phase?.index) {
      this.phaseGuard.phaseChanged(performance.now());
      this.redrawWhenStepsHeard();
      // Someone moved the phase elsewhere: an Undo on offer would undo their step.
      if (this.undoable !== null && view.phase?.index !== this.undoable.to) this.clearToast();
    }
    const said = announcements(before, view);
    if (said.length > 0) this.announcer.textContent = said.join(". ");
    const hands = view.facilitator ? newHands(before, view) : [];
    if (hands.length > 0) {
      this.showToast(`${hands.join(", ")} raised ${hands.length === 1 ? "a hand" : "hands"}`);
      if (this.handSound) chime();
    }
    if (this.microphone !== null) this.microphone.enabled = this.micOn && (view.me?.maySpeak ?? false);
    this.draw(view);
    if (!this.focusedFirst) {
      // Joined: the keyboard starts at the first control of the meeting, not at the top of the page.
      this.focusedFirst = true;
      this.root.querySelector<HTMLElement>("header button, main button")?.focus();
    }
  }

  // Lights who is speaking (what this page hears of each member, and my own
  // microphone when it sends), moves my level bar, and says "you are muted"
  // when I talk into a microphone nobody hears.
  private showSpeaking(): void {
    const now = performance.now();
    const mic = this.microphone;
    const myId = this.client.participantId;
    const rows = [...this.root.querySelectorAll<HTMLElement>("li[data-participant]")];
    const levelOf = (id: string) => (id === myId ? (mic?.enabled ? mic.level : 0) : (this.speaker?.level(id) ?? 0));
    const speaking = this.lights.update(
      rows.map((row) => [row.dataset.participant!, levelOf(row.dataset.participant!)] as const),
      now,
    );
    for (const row of rows) row.toggleAttribute("data-speaking", speaking.has(row.dataset.participant!));
    const meter = this.root.querySelector<HTMLMeterElement>("[data-testid=my-level]");
    // Speech is 0.02-0.2 in RMS; the square root spreads it over the bar as loudness is heard.
    if (meter !== null) meter.value = Math.sqrt(mic?.level ?? 0);
    const unheard = mic !== null && !mic.enabled ? mic.level : 0;
    const talkingUnheard = this.talkingWhileMuted.update([["me", unheard]], now).has("me");
    const warning = this.root.querySelector<HTMLElement>("[data-testid=muted-warning]");
    // Gone the moment the microphone sends again, not when the hold runs out.
    if (warning !== null) warning.hidden = !talkingUnheard || mic === null || mic.enabled;
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
    this.drawRegions(view);
    this.ticker?.tick(); // The new countdowns show their time at once.
  }

  private drawRegions(view: SessionView): void {
    const phase = view.phase?.name ?? "Waiting to start";
    document.title = `${phase} · ${view.name}`;
    this.title.textContent = view.name;
    this.chat.update(view, this.client.securityCode);
    this.video.update(view);
    const mic = { available: this.microphone !== null, on: this.micOn, problem: this.micProblem };
    const sound = {
      on: this.handSound,
      toggle: () => {
        this.handSound = !this.handSound;
        localStorage.setItem(handSoundKey, this.handSound ? "on" : "off");
        if (this.handSound) chime(); // So the facilitator knows what to listen for.
      },
    };
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
    replaceChildren(this.bar, statusBar(view, mic, toggleMic));
    if (view.roomDevice) {
      // The board for the room first, then the turn prompt, then the device's own controls and the people in the room.
      this.layout.classList.add("room");
      replaceChildren(this.top, roomBoard(view, this.client.securityCode), turnPrompt(view, this));
      replaceChildren(this.left, myControls(view, mic, this, leave), roomAttendees(view, this));
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
    // A facilitator's screen leads with the hands and the console; a member's with their own controls.
    replaceChildren(
      this.left,
      view.facilitator
        ? [handQueue(view, this, sound), facilitatorConsole(view, this), goAround(view, this), myControls(view, mic, this, leave)]
        : [myControls(view, mic, this, leave), goAround(view, this)],
      roster(view, this),
    );
  }

  // The step buttons show the guard's quiet moment; show its end too.
  private redrawWhenStepsHeard(): void {
    if (this.stepsTimer !== null) clearTimeout(this.stepsTimer);
    const wait = Math.max(0, this.phaseGuard.quietEndsAt - performance.now()) + 20;
    this.stepsTimer = setTimeout(() => {
      this.stepsTimer = null;
      if (!this.finished && this.view !== null) this.draw(this.view);
    }, wait);
  }

  private clearToast(): void {
    this.undoable = null;
    this.toast.replaceChildren();
  }

  private showToast(text: string, action?: { label: string; run: () => void; ms: number }): void {
    this.undoable = action ? this.undoable : null; // A new notice replaces the Undo on offer.
    const clear = () => this.clearToast();
    replaceChildren(
      this.toast,
      h("span", {}, text),
      action ? button(action.label, () => (clear(), action.run()), { class: "quiet", "data-testid": "toast-action" }) : null,
    );
    if (this.toastTimer !== null) clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(clear, action?.ms ?? toastMs);
  }

  // Everything of the session leaves the page: chat, keys, audio.
  private finish(reason: string, refused = false): void {
    if (this.finished) return;
    this.finished = true;
    for (const off of this.unsubscribe) off();
    document.removeEventListener("click", this.resumeAudio);
    this.chat.wipe();
    this.video.close();
    this.ticker?.stop();
    if (this.lightsTimer !== null) clearInterval(this.lightsTimer);
    if (this.stepsTimer !== null) clearTimeout(this.stepsTimer);
    this.microphone?.close();
    this.microphone = null;
    void this.speaker?.close();
    this.speaker = null;
    void this.client.close();
    document.title = "Balint Room";
    replaceChildren(this.root, refused ? refusedScreen(reason) : endScreen(this.view?.name ?? "", reason));
  }
}
