// Camera: the local member's camera as encoded chunks, ready for
// client.sendVideo(chunk). It asks for the camera at the tile's size (or the
// room device's), reads its frames (MediaStreamTrackProcessor, or a <video>
// element on a timer where that is missing), keeps to 15 fps, and encodes
// with WebCodecs (encoding.ts chooses the codec). `stream` is for the
// self-view.
//
// `sending = false` encodes nothing (the camera is off for the others, or
// the server would drop it anyway); the next frame sent after it comes back
// is a key frame, so that nobody waits for one.
import type { VideoChunk } from "@balint-room/sdk";

import { type DeviceProblem, deviceProblemOf } from "../model/deviceProblem.js";
import {
  type EncoderChoice,
  type EncoderConfig,
  KEY_FRAME_EVERY_MS,
  type LayerMetadata,
  type VideoSize,
  encoderCandidates,
  temporalLayerOf,
} from "./encoding.js";

export type CameraProblem = DeviceProblem | "unsupported";

const MESSAGES: Record<CameraProblem, string> = {
  "no-permission": "The browser is not allowed to use the camera. Allow camera access for this site, then try again.",
  "no-device": "No camera was found. Connect one, or choose another, then try again.",
  "in-use": "The camera could not be started. Another application may be using it; close that application or choose another camera.",
  unsupported: "This browser cannot send video here (it needs WebCodecs on a secure page). You can still be heard and see the others.",
};

export class CameraUnavailable extends Error {
  override readonly name = "CameraUnavailable";

  constructor(
    readonly reason: CameraProblem,
    message: string = MESSAGES[reason],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Frames waiting in the encoder past which new ones are dropped, not queued: late video is no use. */
const MAX_ENCODE_QUEUE = 2;
/** Encoder failures in a row, with no chunk between, after which the camera gives up. */
const MAX_FAILURES = 3;

// Not in TypeScript's DOM lib yet; only the part used here.
type TrackProcessorCtor = new (init: { track: MediaStreamTrack }) => { readable: ReadableStream<VideoFrame> };

// The size to encode what the camera gives at: its own shape, within the
// size asked for (cameras often give 640x480 or 1280x720 whatever is asked),
// in even numbers as the codecs want.
function fitted(config: EncoderConfig, settings: MediaTrackSettings): EncoderConfig {
  const width = settings.width ?? config.width;
  const height = settings.height ?? config.height;
  const scale = Math.min(1, config.width / width, config.height / height);
  const even = (n: number) => Math.max(2, 2 * Math.round((n * scale) / 2));
  return { ...config, width: even(width), height: even(height) };
}

/** The first candidate this browser encodes; null when it encodes none (no WebCodecs video). */
async function chooseEncoder(size: VideoSize): Promise<EncoderChoice | null> {
  if (typeof VideoEncoder === "undefined") return null;
  for (const candidate of encoderCandidates(size)) {
    const support = await VideoEncoder.isConfigSupported(candidate.config).catch(() => null);
    if (support?.supported) return candidate;
  }
  return null;
}

export interface CameraOptions {
  size: VideoSize;
  /** A videoinput from enumerateDevices(); default: the system's. */
  deviceId?: string;
}

export class Camera {
  /** Called once per encoded chunk while sending. */
  onChunk: ((chunk: VideoChunk) => void) | null = null;
  /** Called if the camera stops by itself (unplugged, access withdrawn) or encoding fails. */
  onError: ((error: Error) => void) | null = null;

  private encoder: VideoEncoder | null = null;
  private isSending = false;
  private keyFrameWanted = true;
  private lastKeyFrameAt = -Infinity;
  private lastFrameAt = -Infinity;
  private closed = false;
  private failures = 0;
  private stopCapture: () => void = () => {};
  private readonly config: EncoderConfig;

  private constructor(
    readonly stream: MediaStream,
    private readonly track: MediaStreamTrack,
    private readonly choice: EncoderChoice,
    private readonly size: VideoSize,
  ) {
    this.config = fitted(choice.config, track.getSettings());
  }

  /** Asks for the camera and starts reading it. Rejects with CameraUnavailable. */
  static async open(options: CameraOptions): Promise<Camera> {
    if (typeof navigator === "undefined" || navigator.mediaDevices?.getUserMedia === undefined)
      throw new CameraUnavailable("unsupported");
    const choice = await chooseEncoder(options.size);
    if (choice === null) throw new CameraUnavailable("unsupported");
    const { width, height, framerate } = options.size;
    // Ideals only: a camera that cannot meet one is still a camera (take() keeps to the frame rate).
    const video: MediaTrackConstraints = { width: { ideal: width }, height: { ideal: height }, frameRate: { ideal: framerate } };
    if (options.deviceId !== undefined && options.deviceId !== "") video.deviceId = { exact: options.deviceId };
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video });
    } catch (error) {
      const problem = deviceProblemOf(error);
      throw problem === null ? error : new CameraUnavailable(problem, undefined, { cause: error });
    }
    const track = stream.getVideoTracks()[0];
    if (track === undefined) {
      for (const t of stream.getTracks()) t.stop();
      throw new CameraUnavailable("no-device");
    }
    const camera = new Camera(stream, track, choice, options.size);
    try {
      camera.start();
    } catch (error) {
      camera.close(); // The light goes off.
      throw error;
    }
    return camera;
  }

  /** False: nothing is encoded. True again: the next chunk is a key frame. */
  get sending(): boolean {
    return this.isSending;
  }

  set sending(value: boolean) {
    if (value === this.isSending) return;
    this.isSending = value;
    if (value) this.keyFrameWanted = true;
    else this.dropEncoder(); // No frame captured before "off" comes out after it.
  }

  /** Someone cannot decode us: the next chunk is a key frame. */
  requestKeyFrame(): void {
    this.keyFrameWanted = true;
  }

  get label(): string {
    return this.track.label;
  }

  get deviceId(): string {
    return this.track.getSettings().deviceId ?? "";
  }

  /** Stops the camera (the browser's indicator goes off) and frees the encoder. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onChunk = null;
    this.stopCapture();
    for (const t of this.stream.getTracks()) t.stop();
    this.dropEncoder();
  }

  private start(): void {
    this.track.addEventListener("ended", () => {
      if (!this.closed) this.onError?.(new CameraUnavailable("no-device", "The camera stopped: it was unplugged or access was withdrawn."));
    });
    const Processor = (globalThis as { MediaStreamTrackProcessor?: TrackProcessorCtor }).MediaStreamTrackProcessor;
    this.stopCapture = Processor !== undefined ? this.readWithProcessor(Processor) : this.readWithVideoElement();
  }

  private readWithProcessor(Processor: TrackProcessorCtor): () => void {
    const reader = new Processor({ track: this.track }).readable.getReader();
    const pump = async () => {
      for (;;) {
        const { value: frame, done } = await reader.read();
        if (done) return;
        try {
          this.take(frame);
        } finally {
          frame.close();
        }
      }
    };
    pump().catch((error: unknown) => this.fail(error));
    return () => void reader.cancel().catch(() => {});
  }

  // Browsers without the track processor: the frame a <video> shows, at the frame rate.
  private readWithVideoElement(): () => void {
    const element = document.createElement("video");
    element.muted = true;
    element.playsInline = true;
    element.srcObject = this.stream;
    void element.play().catch(() => {});
    const timer = setInterval(() => {
      if (!this.isSending || this.closed || element.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) return;
      try {
        const frame = new VideoFrame(element, { timestamp: Math.round(performance.now() * 1000) });
        try {
          this.take(frame);
        } finally {
          frame.close();
        }
      } catch (error) {
        this.fail(error);
      }
    }, 1000 / this.size.framerate);
    return () => {
      clearInterval(timer);
      element.srcObject = null;
    };
  }

  private take(frame: VideoFrame): void {
    if (!this.isSending || this.closed) return;
    const now = performance.now();
    // Cameras that ignore the frame rate asked for: keep to it (a little slack for timer jitter).
    if (now - this.lastFrameAt < 1000 / this.size.framerate - 8) return;
    const encoder = this.encoderFor();
    if (encoder.encodeQueueSize > MAX_ENCODE_QUEUE) return;
    this.lastFrameAt = now;
    const keyFrame = this.keyFrameWanted || now - this.lastKeyFrameAt >= KEY_FRAME_EVERY_MS;
    if (keyFrame) {
      this.keyFrameWanted = false;
      this.lastKeyFrameAt = now;
    }
    try {
      encoder.encode(frame, { keyFrame });
    } catch (error) {
      this.fail(error); // Capture goes on: the next frame gets a fresh encoder.
    }
  }

  private encoderFor(): VideoEncoder {
    if (this.encoder === null || this.encoder.state === "closed") {
      this.encoder = new VideoEncoder({
        output: (chunk, metadata) => this.emit(chunk, metadata),
        error: (error) => this.fail(error),
      });
      this.encoder.configure(this.config);
      this.keyFrameWanted = true; // A new encoder starts with one anyway; say so in the header.
    }
    return this.encoder;
  }

  private emit(chunk: EncodedVideoChunk, metadata: EncodedVideoChunkMetadata | undefined): void {
    if (!this.isSending || this.closed) return;
    this.failures = 0;
    const data = new Uint8Array(chunk.byteLength);
    chunk.copyTo(data);
    const keyFrame = chunk.type === "key";
    this.onChunk?.({ codec: this.choice.codec, keyFrame, temporalLayer: temporalLayerOf(keyFrame, metadata as LayerMetadata | undefined), data });
  }

  private dropEncoder(): void {
    if (this.encoder !== null && this.encoder.state !== "closed") this.encoder.close();
    this.encoder = null;
  }

  // A fresh encoder is made for the next frame; only failures in a row, with
  // no chunk between, give the camera up (then this browser cannot encode it).
  private fail(error: unknown): void {
    if (this.closed) return;
    this.dropEncoder();
    if (++this.failures < MAX_FAILURES) return;
    this.onError?.(error instanceof Error ? error : new Error(String(error)));
  }
}
