// Whom the chat box writes to, as the phase pauses and reopens the chat
// with the group and people come and go. Two mistakes must never happen
// unseen: a word meant for a facilitator going to the whole group, and
// writing privately without knowing it. So the recipient changes by itself
// only while the box is empty, and says so when it does; with something
// typed it stays put and Send waits for a recipient who can get it. Pure.

export interface Reachable {
  id: string;
  name: string;
  leader: boolean; // A facilitator or co-facilitator: reachable in every phase.
}

export interface RecipientInput {
  paused: boolean; // The phase pauses my chat with the group.
  reachable: Reachable[]; // Connected people I could write to privately.
  names: ReadonlyMap<string, string>; // Everyone's names, also of those who left.
  typed: boolean; // Something is in the box.
  current: string; // Whom I write to now; "" is everyone.
  forced: boolean; // Current was set while paused: released when the pause ends.
}

export interface RecipientChoice {
  current: string;
  forced: boolean;
  options: { value: string; label: string }[];
  canSend: boolean;
  note: string; // What to tell the person about the change; "" for nothing.
}

export function chooseRecipient(input: RecipientInput): RecipientChoice {
  const { paused, reachable, names, typed } = input;
  let { current, forced } = input;
  let note = "";
  const nameOf = (id: string) => names.get(id) ?? id;
  const allowed = (id: string) => (id === "" ? !paused : reachable.some((p) => p.id === id && (!paused || p.leader)));
  const connected = (id: string) => reachable.some((p) => p.id === id);
  const firstLeader = reachable.find((p) => p.leader)?.id;

  if (paused && !allowed(current) && !typed && firstLeader !== undefined) {
    current = firstLeader;
    forced = true;
    note = `Chat with the group is paused in this phase: writing privately to ${nameOf(current)}.`;
  } else if (!paused && forced) {
    forced = false;
    if (!typed) {
      current = "";
      note = "Chat with the group is open again: writing to Everyone.";
    }
  }

  const canSend = allowed(current);
  if (!canSend && typed)
    note =
      current === ""
        ? "Chat with the group is paused in this phase: choose a facilitator to send this to."
        : connected(current)
          ? `Chat with ${nameOf(current)} is paused in this phase: choose a facilitator to send this to.`
          : `${nameOf(current)} is not connected: choose whom to send this to.`;
  else if (!canSend && current !== "" && !paused) note = `${nameOf(current)} is not connected: choose whom to write to.`;

  const options: { value: string; label: string }[] = [];
  if (!paused) options.push({ value: "", label: "Everyone" });
  else if (current === "") options.push({ value: "", label: "Everyone (paused)" });
  for (const p of reachable) if (!paused || p.leader) options.push({ value: p.id, label: p.name });
  if (current !== "" && !options.some((o) => o.value === current))
    options.push({ value: current, label: `${nameOf(current)} (${connected(current) ? "paused" : "away"})` });
  return { current, forced, options, canSend, note };
}
