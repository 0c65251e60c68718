// One sender's camera, decoded into a canvas. It starts at a key frame (a
// delta without the frames before it cannot be decoded) and asks for one
// when it has none, or when the decoder fails; the server throttles the
// asking, so asking on every undecodable frame is fine. Each picture is
// drawn when the sender's sound of the same moment plays: held back by what
// the audio's jitter buffer holds (holdMs), so that lips and voice agree.
import type { VideoFrame as CameraFrame } from "@balint-room/sdk";

import { codecString } from "./encoding.js";

/** Chunks waiting in the decoder past which new ones are dropped (and a key frame asked for). */
const MAX_DECODE_QUEUE = 5;

export class TileDecoder {
  /** Frames drawn so far. */
  decoded = 0;
  /** Called after each frame drawn. */
  onDrawn: (() => void) | null = null;

  private decoder: VideoDecoder | null = null;
  private configuredFor = "";
  private needKeyFrame = true;
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

  push(frame: CameraFrame): void {
    if (typeof VideoDecoder === "undefined") return;
    if (this.needKeyFrame && !frame.keyFrame) return this.askKeyFrame();
    const decoder = this.decoderFor(codecString[frame.codec]);
    if (decoder.decodeQueueSize > MAX_DECODE_QUEUE) return this.restart();
    this.needKeyFrame = false;
    // Timestamps only order the chunks for the decoder; what is drawn is drawn at once.
    this.timestamp += 1;
    this.arrivedAt.set(this.timestamp, performance.now());
    decoder.decode(new EncodedVideoChunk({ type: frame.keyFrame ? "key" : "delta", timestamp: this.timestamp, data: frame.data }));
  }

  /** The camera went off or was held back: what is in the decoder is still drawn, and the next frame must be a key frame. */
  expectGap(): void {
    this.needKeyFrame = true;
  }

  /** After a gap in what arrived (the network, a pause): wait for the next key frame, and ask for it. */
  restart(): void {
    this.close();
    this.needKeyFrame = true;
    this.askKeyFrame();
  }

  close(): void {
    if (this.decoder !== null && this.decoder.state !== "closed") this.decoder.close();
    this.decoder = null;
    this.configuredFor = "";
    this.arrivedAt.clear();
    for (const picture of this.held) picture.close();
    this.held.clear();
  }

  private decoderFor(codec: string): VideoDecoder {
    if (this.decoder === null || this.decoder.state === "closed" || this.configuredFor !== codec) {
      this.close();
      this.decoder = new VideoDecoder({
        output: (picture) => this.hold(picture),
        error: () => this.restart(),
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
      this.onDrawn?.();
    } finally {
      picture.close();
    }
  }
}
