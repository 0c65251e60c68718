// The facilitator's Next, kept from skipping a phase by accident. A double
// click or a double Enter lands its second press on the same button, which
// by then says "Next: <the phase after>"; so a press is ignored while the
// last one is on its way, and for a moment after the phase changes (by this
// facilitator or another). A press whose answer never came (a timeout: it
// may have been applied) stays on its way until the next state shows what
// happened. The console shows the quiet moment (the step buttons read as
// unavailable until it ends). Pure: time comes in from the caller.

export const quietAfterChangeMs = 1500;

export class StepGuard {
  private inFlight = false;
  private untilNextState = false;
  private quietUntil = 0;

  /**
   * True when a press at `nowMs` should be sent; it then counts as on its
   * way. `duringQuiet`: a deliberate step (Undo) that the moment after a
   * change must not swallow; it still waits for one on its way.
   */
  press(nowMs: number, { duringQuiet = false } = {}): boolean {
    if (this.inFlight || this.untilNextState || (!duringQuiet && nowMs < this.quietUntil)) return false;
    this.inFlight = true;
    return true;
  }

  /** True while presses are ignored. */
  quietAt(nowMs: number): boolean {
    return this.inFlight || this.untilNextState || nowMs < this.quietUntil;
  }

  /** When presses are heard again (ms on the caller's clock); 0 before any change. */
  get quietEndsAt(): number {
    return this.quietUntil;
  }

  /** The server answered the press (either way). */
  answered(nowMs: number): void {
    this.inFlight = false;
    this.quiet(nowMs);
  }

  /** No answer came: the press may have been applied; wait for the state to tell. */
  unanswered(): void {
    this.inFlight = false;
    this.untilNextState = true;
  }

  /** A state arrived from the server. */
  stateArrived(): void {
    this.untilNextState = false;
  }

  /** The phase changed, whoever moved it. */
  phaseChanged(nowMs: number): void {
    this.quiet(nowMs);
  }

  private quiet(nowMs: number): void {
    this.quietUntil = Math.max(this.quietUntil, nowMs + quietAfterChangeMs);
  }
}
