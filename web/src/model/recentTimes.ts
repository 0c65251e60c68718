// The last few timestamps of something (frames sent, played, drawn), for
// the support counters the browser tests read: a bounded list, oldest first.

const KEPT = 64;

export function remember(times: number[], at: number): void {
  times.push(at);
  if (times.length > KEPT) times.shift();
}
