// A short, soft tone: the notice a facilitator may choose to hear when a
// hand goes up. Its own audio context, opened on first use (after a click,
// as browsers require), so it never touches the meeting's audio.
let context: AudioContext | null = null;

export function chime(): void {
  context ??= new AudioContext();
  const t = context.currentTime;
  const tone = context.createOscillator();
  const gain = context.createGain();
  tone.frequency.value = 880;
  gain.gain.setValueAtTime(0.08, t);
  gain.gain.exponentialRampToValueAtTime(0.001, t + 0.3);
  tone.connect(gain).connect(context.destination);
  tone.start(t);
  tone.stop(t + 0.3);
}
