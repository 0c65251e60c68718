// The faces: a tile for everyone with a camera of their own (a room
// device's shows the room), my own camera as a self-view, and the video
// controls (my camera on or off, which camera, and pausing the others'
// video to save bandwidth). A tile shows a picture while the server says
// that person's video is forwarded (Person.sendingVideo), and their name
// and initials otherwise: tiles follow the state, not guesses.
//
// Unlike the other regions it is not redrawn on every state: it owns live
// canvases, a <video> and a camera, so it is built once and updated.
import { ClientErrorCode, type VideoChunk, type VideoFrame as CameraFrame, cmd, v1 } from "@balint-room/sdk";

import { cameraPausedBecause } from "../model/myState.js";
import { remember } from "../model/recentTimes.js";
import type { Person, SessionView } from "../model/session.js";
import { button, h, replaceChildren } from "../ui/dom.js";
import { Camera, CameraUnavailable } from "../video/camera.js";
import { ROOM_SIZE, TILE_SIZE } from "../video/encoding.js";
import { TileDecoder } from "../video/tileDecoder.js";

/** What the wall needs of the connection. */
export interface VideoLink {
  sendVideo(chunk: VideoChunk): boolean;
  send(command: v1.Command): Promise<v1.CommandResult>;
  requestKeyFrame(senderId: string): boolean;
  setVideoPaused(paused: boolean): Promise<v1.CommandResult>;
  /** How long this page holds a sender's audio before it plays (its jitter buffer): their picture waits as long. */
  audioDelayMs(senderId: string): number;
}

// Counts and the last timestamps (Date.now()) of video, for support and the
// browser tests: chunks this page sent, and per sender the frames that
// arrived and were drawn. Counts and times only.
const stats = {
  joinedAt: 0, // When the first state arrived.
  sent: 0,
  keyFramesSent: 0,
  keyFrameRequests: 0,
  sentAt: [] as number[],
  received: {} as Record<string, number>,
  decoded: {} as Record<string, number>,
  drawnAt: {} as Record<string, number[]>,
};
(globalThis as { balintVideoStats?: typeof stats }).balintVideoStats = stats;

interface Tile {
  element: HTMLElement;
  canvas: HTMLCanvasElement;
  face: HTMLElement; // Initials, when there is no picture.
  caption: HTMLElement;
  decoder: TileDecoder;
  wasSending: boolean;
}

export class VideoWall {
  readonly element: HTMLElement;
  private readonly controls = h("div", { class: "actions video-controls" });
  private readonly reason = h("p", { class: "hint", role: "status", "data-testid": "camera-reason" });
  private readonly grid = h("div", { class: "tiles", "data-testid": "tiles" });
  private readonly selfVideo: HTMLVideoElement;
  private readonly selfTile: HTMLElement;
  private readonly selfFace = h("div", { class: "face", "aria-hidden": "true" });
  private readonly selfCaption = h("figcaption", {});
  private readonly tiles = new Map<string, Tile>();
  private camera: Camera | null = null;
  private opening = false;
  private generation = 0; // Raised by every stop: a camera that opens after one is closed at once.
  private closed = false;
  private resyncing = false; // A chunk of mine was dropped: nothing until my next key frame.
  private problem = "";
  private paused = false;
  private devices: MediaDeviceInfo[] = [];
  private view: SessionView | null = null;

  constructor(private readonly link: VideoLink) {
    this.selfVideo = h("video", { muted: true, autoplay: true, playsinline: true, "aria-label": "Your camera", "data-testid": "self-view" });
    this.selfVideo.muted = true; // The attribute alone does not mute in every browser.
    this.selfTile = h("figure", { class: "tile self", "data-testid": "self-tile" }, this.selfVideo, this.selfFace, this.selfCaption);
    this.element = h(
      "section",
      { class: "panel video", "aria-label": "Video" },
      this.controls,
      this.reason,
      this.grid,
    );
  }

  /** The server's latest state: tiles come and go, and my camera sends only when the server forwards it. */
  update(view: SessionView): void {
    if (this.closed) return;
    this.view = view;
    if (stats.joinedAt === 0) stats.joinedAt = Date.now();
    const me = view.me;
    if (this.camera !== null) this.camera.sending = me?.sendingVideo ?? false;
    this.drawControls(view);
    const people = view.people.filter((p) => p.roomDeviceId === "" && (p.connected || p.reconnecting || p.me));
    const keep = new Set(people.map((p) => p.id));
    for (const [id, tile] of this.tiles)
      if (!keep.has(id)) {
        tile.decoder.close();
        this.tiles.delete(id);
      }
    const children: HTMLElement[] = [];
    for (const p of people) {
      if (p.me) {
        children.push(this.drawSelf(p));
        continue;
      }
      const tile = this.tiles.get(p.id) ?? this.newTile(p.id);
      this.drawTile(tile, p);
      children.push(tile.element);
    }
    // Moves only what moved: re-appending a canvas keeps its picture.
    children.forEach((child, i) => {
      if (this.grid.children[i] !== child) this.grid.insertBefore(child, this.grid.children[i] ?? null);
    });
    while (this.grid.children.length > children.length) this.grid.lastElementChild!.remove();
  }

  /** An opened camera chunk from someone. */
  push(frame: CameraFrame): void {
    stats.received[frame.senderId] = (stats.received[frame.senderId] ?? 0) + 1;
    const tile = this.tiles.get(frame.senderId);
    if (tile === undefined || this.paused) return; // Forwarded means allowed, even before the state says so.
    tile.decoder.push(frame);
  }

  /** The server asks for a key frame: someone cannot decode my camera. */
  keyFrameRequested(): void {
    stats.keyFrameRequests += 1;
    this.camera?.requestKeyFrame();
  }

  /** A new connection: the server forgot that my camera was on, and what each decoder had. */
  reconnected(): void {
    if (this.camera !== null) {
      void this.link.send(cmd.setCamera(true));
      this.camera.requestKeyFrame();
    }
    for (const tile of this.tiles.values()) tile.decoder.restart();
  }

  close(): void {
    this.closed = true;
    this.generation += 1;
    this.camera?.close();
    this.camera = null;
    this.selfVideo.srcObject = null;
    for (const tile of this.tiles.values()) tile.decoder.close();
    this.tiles.clear();
    this.grid.replaceChildren();
  }

  private newTile(id: string): Tile {
    const canvas = h("canvas", { width: TILE_SIZE.width, height: TILE_SIZE.height, "aria-hidden": "true" });
    const face = h("div", { class: "face", "aria-hidden": "true" });
    const caption = h("figcaption", {});
    const element = h("figure", { class: "tile", "data-participant": id, "data-video": "off" }, canvas, face, caption);
    const decoder = new TileDecoder(
      canvas,
      () => void this.link.requestKeyFrame(id),
      () => this.link.audioDelayMs(id),
    );
    const tile: Tile = { element, canvas, face, caption, decoder, wasSending: false };
    decoder.onDrawn = () => {
      stats.decoded[id] = decoder.decoded;
      remember((stats.drawnAt[id] ??= []), Date.now());
      if (element.dataset.sending === "yes") element.dataset.video = "on"; // The first picture: the initials give way.
    };
    this.tiles.set(id, tile);
    return tile;
  }

  private drawTile(tile: Tile, p: Person): void {
    const showing = p.sendingVideo && !this.paused;
    // A camera that comes back (on again, allowed again, re-entry) starts at
    // a key frame; its initials stay until the first picture is drawn.
    if (showing && !tile.wasSending && !tile.decoder.hasPicture) tile.decoder.restart();
    if (!showing && tile.wasSending) tile.decoder.expectGap();
    tile.wasSending = showing;
    tile.element.dataset.sending = showing ? "yes" : "no";
    tile.element.dataset.video = showing && tile.decoder.hasPicture ? "on" : "off";
    tile.element.classList.toggle("room", p.role === v1.Role.ROOM);
    tile.face.textContent = p.initials;
    replaceChildren(tile.caption, h("strong", {}, p.name), " ", stateText(p, this.paused));
  }

  private drawSelf(me: Person): HTMLElement {
    const showing = this.camera !== null;
    this.selfTile.dataset.video = showing ? "on" : "off";
    this.selfTile.dataset.participant = me.id;
    this.selfFace.textContent = me.initials;
    replaceChildren(this.selfCaption, h("strong", {}, me.name), " (you) ", showing ? (me.sendingVideo ? "" : "paused") : "camera off");
    return this.selfTile;
  }

  private drawControls(view: SessionView): void {
    const on = this.camera !== null;
    const mayStart = !view.ended && view.me !== undefined && !view.me.videoStopped;
    replaceChildren(
      this.controls,
      on
        ? button("Stop camera", () => this.stopCamera(), { "data-key": "camera", "aria-pressed": "true", "data-testid": "camera" })
        : button(this.opening ? "Starting camera…" : "Start camera", () => void this.startCamera(), {
            "data-key": "camera",
            "aria-pressed": "false",
            "data-testid": "camera",
            disabled: this.opening || !mayStart,
          }),
      this.devices.length > 1 ? this.deviceChoice() : null,
      button(this.paused ? "Show video" : "Audio only", () => void this.togglePaused(), {
        class: "quiet",
        "data-key": "video-paused",
        "aria-pressed": this.paused ? "true" : "false",
        "data-testid": "video-paused",
        title: "Stop receiving the others' video, to save bandwidth; you still hear everyone",
      }),
    );
    this.reason.textContent = cameraPausedBecause(view) || (view.me?.videoStopped && !on ? "A facilitator stopped your video." : this.problem);
  }

  private deviceChoice(): HTMLElement {
    const current = this.camera?.deviceId ?? "";
    const select = h(
      "select",
      {
        "aria-label": "Camera",
        "data-key": "camera-device",
        onchange: () => void this.startCamera(select.value),
      },
      this.devices.map((d, i) => h("option", { value: d.deviceId, selected: d.deviceId === current }, d.label || `Camera ${i + 1}`)),
    );
    return select;
  }

  // Opens the camera (another device: in place of the one open), then tells
  // the server it is on. A stop, or the end, while it opens closes it at once.
  private async startCamera(deviceId?: string): Promise<void> {
    const view = this.view;
    if (view === null || this.opening || this.closed) return;
    const generation = ++this.generation;
    this.opening = true;
    this.problem = "";
    this.redraw();
    try {
      const camera = await Camera.open({ size: view.roomDevice ? ROOM_SIZE : TILE_SIZE, deviceId });
      if (generation !== this.generation) return camera.close();
      this.camera?.close();
      this.camera = camera;
      this.resyncing = false;
      camera.sending = this.view?.me?.sendingVideo ?? false;
      camera.onChunk = (chunk) => this.sendChunk(camera, chunk);
      camera.onError = (error) => {
        if (this.camera !== camera) return;
        this.problem = error.message;
        this.stopCamera();
      };
      this.selfVideo.srcObject = camera.stream;
      this.devices = (await navigator.mediaDevices.enumerateDevices().catch(() => [])).filter((d) => d.kind === "videoinput");
      if (generation !== this.generation || this.view?.me?.cameraOn) return; // Stopped meanwhile, or a new device for a camera on.
      const result = await this.link.send(cmd.setCamera(true));
      const fine = [v1.ErrorCode.OK, v1.ErrorCode.NO_CHANGE, ClientErrorCode.NOT_CONNECTED]; // Not connected: said again on reconnecting.
      if (generation === this.generation && !fine.includes(result.code)) {
        this.problem = `Could not start your camera: ${result.message}`;
        this.closeCamera();
      }
    } catch (error) {
      if (generation === this.generation)
        this.problem = error instanceof CameraUnavailable ? error.message : `The camera could not start: ${String(error)}`;
    } finally {
      if (generation === this.generation) this.opening = false;
      this.redraw();
    }
  }

  // A chunk dropped (a backed-up socket, a reconnection) breaks every delta
  // after it: send nothing more until a key frame, and make the next one.
  private sendChunk(camera: Camera, chunk: VideoChunk): void {
    if (this.resyncing && !chunk.keyFrame) return;
    if (!this.link.sendVideo(chunk)) {
      this.resyncing = true;
      camera.requestKeyFrame();
      return;
    }
    this.resyncing = false;
    stats.sent += 1;
    if (chunk.keyFrame) stats.keyFramesSent += 1;
    remember(stats.sentAt, Date.now());
  }

  private closeCamera(): void {
    this.generation += 1;
    this.opening = false;
    this.camera?.close();
    this.camera = null;
    this.selfVideo.srcObject = null;
  }

  private stopCamera(): void {
    this.closeCamera();
    void this.link.send(cmd.setCamera(false));
    this.redraw();
  }

  private async togglePaused(): Promise<void> {
    const paused = !this.paused;
    this.paused = paused;
    this.redraw();
    const result = await this.link.setVideoPaused(paused);
    // Not connected: the SDK says it again on reconnecting.
    if (result.code === v1.ErrorCode.OK || result.code === ClientErrorCode.NOT_CONNECTED || this.paused !== paused) return;
    this.paused = !paused;
    this.problem = `Could not change the incoming video: ${result.message}`;
    this.redraw();
  }

  private redraw(): void {
    if (this.view !== null) this.update(this.view);
  }
}

function stateText(p: Person, paused: boolean): string {
  if (p.videoStopped) return "video stopped by a facilitator";
  if (!p.cameraOn) return "camera off";
  if (!p.sendingVideo) return p.presenter ? "camera paused in the observation" : "camera paused";
  if (paused) return "video paused (audio only)";
  return "";
}
