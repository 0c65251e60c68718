// Countdowns, drawn from the server's clock (the client only measures how
// long ago the server spoke), so every screen shows the same time left.

/** "4:05" for 245 s; "−0:12" once past the end; hours as "1:02:03". */
export function clock(ms: number): string {
  const negative = ms < 0;
  const total = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const body = h > 0 ? `${h}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}` : `${m}:${String(s).padStart(2, "0")}`;
  return negative ? `−${body}` : body;
}

/** Words for a screen reader: "4 minutes 5 seconds left", "12 seconds over". */
export function spokenClock(ms: number): string {
  const total = Math.floor(Math.abs(ms) / 1000);
  const m = Math.floor(total / 60);
  const s = total % 60;
  const parts = [];
  if (m > 0) parts.push(`${m} minute${m === 1 ? "" : "s"}`);
  if (s > 0 || m === 0) parts.push(`${s} second${s === 1 ? "" : "s"}`);
  return `${parts.join(" ")} ${ms < 0 ? "over" : "left"}`;
}

/** A deadline in words for a warning: "0:42 left", then "Over time by 1:05". */
export function timeLeftText(ms: number): string {
  return ms >= 0 ? `${clock(ms)} left` : `Over time by ${clock(-ms)}`;
}
