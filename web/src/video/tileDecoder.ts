// One sender's camera, decoded into a canvas. It starts at a key frame (a
// delta without the frames before it cannot be decoded) and asks for one
// when it has none, or when the decoder fails: at most every 500 ms, and
// every 5 s once it has failed three times in a row without a picture (a
// stream this browser cannot decode must not have everyone send key frames).
// Each picture is drawn when the sender's sound of the same moment plays:
// held back by what the audio's jitter buffer holds (holdMs), so that lips
// and voice agree.
import type { VideoFrame as CameraFrame } from "@balint-room/sdk";

import { codecString } from "./encoding.js";

/** Chunks waiting in the decoder past which the backlog is given up until a key frame. */
const MAX_DECODE_QUEUE = 5;
const ASK_EVERY_MS = 500;
const ASK_EVERY_MS_FAILING = 5000;
const FAILURES_BEFORE_BACKING_OFF = 3;

export class TileDecoder {
  /** Frames drawn so far. */
  decoded = 0;
  /** Called after each frame drawn. */
  onDrawn: (() => void) | null = null;

  private decoder: VideoDecoder | null = null;
  private configuredFor = "";
  private needKeyFrame = true;
  private picture = false; // A frame drawn since the last gap.
  private failures = 0; // Decoder failures in a row, with no picture between.
  private askedAt = -Infinity;
  private timestamp = 0;
  private readonly arrivedAt = new Map<number, number>(); // Chunk timestamp -> performance.now() it came.
  private readonly held = new Set<VideoFrame>(); // Decoded, waiting for their sound.
  private lastDue = 0;
  private readonly context: CanvasRenderingContext2D | null;

  constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly askKeyFrame: () => void,
    private readonly holdMs: () => number = () => 0,
  ) {
    this.context = canvas.getContext("2d");
  }

  /** A picture of this camera has been drawn since it last went away: the tile may show it. */
  get hasPicture(): boolean {
    return this.picture;
  }

  push(frame: CameraFrame): void {
    if (typeof VideoDecoder === "undefined") return;
    const codec = codecString[frame.codec];
    if (codec !== this.configuredFor && !frame.keyFrame) this.needKeyFrame = true; // A new codec starts at a key frame.
    if (this.needKeyFrame && !frame.keyFrame) return this.ask();
    if (frame.keyFrame && this.decoder !== null && this.decoder.decodeQueueSize > MAX_DECODE_QUEUE) this.close(); // Start afresh from it.
    const decoder = this.decoderFor(codec);
    if (decoder.decodeQueueSize > MAX_DECODE_QUEUE) return this.restart();
    this.needKeyFrame = false;
    // Timestamps only order the chunks for the decoder and find when each came.
    this.timestamp += 1;
    this.arrivedAt.set(this.timestamp, performance.now());
    try {
      decoder.decode(new EncodedVideoChunk({ type: frame.keyFrame ? "key" : "delta", timestamp: this.timestamp, data: frame.data }));
    } catch {
      this.failed(); // Not what the header said it was, or a decoder that broke.
    }
  }

  /** The camera went off or was held back: what is in the decoder is still drawn, and the next frame must be a key frame. */
  expectGap(): void {
    this.needKeyFrame = true;
    this.picture = false;
  }

  /** After a gap in what arrived (the network, a pause): wait for the next key frame, and ask for it. */
  restart(): void {
    this.close();
    this.needKeyFrame = true;
    this.ask();
  }

  close(): void {
    if (this.decoder !== null && this.decoder.state !== "closed") this.decoder.close();
    this.decoder = null;
    this.configuredFor = "";
    this.picture = false;
    this.arrivedAt.clear();
    for (const picture of this.held) picture.close();
    this.held.clear();
  }

  private ask(): void {
    const now = performance.now();
    const every = this.failures >= FAILURES_BEFORE_BACKING_OFF ? ASK_EVERY_MS_FAILING : ASK_EVERY_MS;
    if (now - this.askedAt < every) return;
    this.askedAt = now;
    this.askKeyFrame();
  }

  private failed(): void {
    this.failures += 1;
    this.restart();
  }

  private decoderFor(codec: string): VideoDecoder {
    if (this.decoder === null || this.decoder.state === "closed" || this.configuredFor !== codec) {
      this.close();
      this.decoder = new VideoDecoder({
        output: (picture) => this.hold(picture),
        error: () => this.failed(),
      });
      this.decoder.configure({ codec, optimizeForLatency: true });
      this.configuredFor = codec;
    }
    return this.decoder;
  }

  // Due when its sound plays (never before the picture before it).
  private hold(picture: VideoFrame): void {
    const now = performance.now();
    const arrived = this.arrivedAt.get(picture.timestamp) ?? now;
    this.arrivedAt.delete(picture.timestamp);
    const due = Math.max(arrived + this.holdMs(), this.lastDue);
    this.lastDue = due;
    if (due <= now) return this.draw(picture);
    this.held.add(picture);
    setTimeout(() => {
      if (!this.held.delete(picture)) return; // Closed meanwhile.
      this.draw(picture);
    }, due - now);
  }

  private draw(picture: VideoFrame): void {
    try {
      if (this.canvas.width !== picture.displayWidth) this.canvas.width = picture.displayWidth;
      if (this.canvas.height !== picture.displayHeight) this.canvas.height = picture.displayHeight;
      this.context?.drawImage(picture, 0, 0);
      this.decoded += 1;
      this.failures = 0;
      this.picture = true;
      this.onDrawn?.();
    } finally {
      picture.close();
    }
  }
}
