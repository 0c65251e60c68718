// Keeps every countdown on the page current: each element with a
// data-deadline (server milliseconds) shows the time left by the server's
// clock, four times a second (in words, "Over time by 1:05", where it also
// has data-words). One timer for the whole page; a redraw calls tick() so
// that a new countdown never shows blank until the next quarter second.
import { clock, spokenClock, timeLeftText } from "../model/time.js";

export interface Ticker {
  tick(): void;
  stop(): void;
}

export function startTicker(serverNow: () => number): Ticker {
  const tick = () => {
    const now = serverNow();
    if (now === 0) return;
    for (const element of document.querySelectorAll<HTMLElement>("[data-deadline]")) {
      const left = Number(element.dataset.deadline) - now;
      const text = element.dataset.words !== undefined ? timeLeftText(left) : clock(left);
      if (element.textContent !== text) element.textContent = text;
      element.classList.toggle("over", left < 0);
      element.classList.toggle("soon", left >= 0 && left < 60_000);
      // Screen readers get the time in words, on request rather than every tick.
      element.title = spokenClock(left);
    }
  };
  tick();
  const timer = setInterval(tick, 250);
  return { tick, stop: () => clearInterval(timer) };
}
