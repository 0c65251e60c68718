// Who is speaking now, from audio levels: a person lights up when their
// level passes the threshold and stays lit a little after it falls, so the
// light follows speech and does not flicker between syllables. Pure: the
// levels and the time come in from the caller.

export const speechLevel = 0.02; // RMS (0..1); quiet speech is about 0.02-0.05.

export class SpeakingLights {
  private readonly lastLoud = new Map<string, number>();

  constructor(private readonly holdMs = 300) {}

  /** The people speaking at `nowMs`, given each one's latest level. */
  update(levels: Iterable<readonly [string, number]>, nowMs: number): Set<string> {
    for (const [id, level] of levels) if (level >= speechLevel) this.lastLoud.set(id, nowMs);
    const speaking = new Set<string>();
    for (const [id, at] of this.lastLoud) {
      if (nowMs - at <= this.holdMs) speaking.add(id);
      else this.lastLoud.delete(id);
    }
    return speaking;
  }
}
