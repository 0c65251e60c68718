// The join screen, from an invite link: who the link is for, a microphone
// check (a live level meter, so people see they will be heard), and Join.
import type { JoinCheck } from "@balint-room/sdk";

import { joinProblem } from "../model/joinProblem.js";
import type { LinkClaims } from "../model/token.js";
import { AudioUnavailable, Microphone } from "../audio/microphone.js";
import { button, h, replaceChildren } from "../ui/dom.js";

const roleWords: Record<string, string> = {
  facilitator: "facilitator",
  co_facilitator: "co-facilitator",
  participant: "participant",
  room: "room device",
};

export interface JoinChoice {
  microphone: Microphone | null;
  micProblem: string; // Why there is none, for people; "" when there is one.
}

/**
 * Draws the join screen and resolves when the person presses Join. `linkCheck`
 * is the server's answer about the link (null when it could not be asked):
 * it names the session, or says why the link cannot be used.
 */
export function joinScreen(root: HTMLElement, claims: LinkClaims, linkCheck: JoinCheck | null): Promise<JoinChoice> {
  let microphone: Microphone | null = null;
  let micProblem = "Microphone not checked yet.";
  let meterTimer: ReturnType<typeof setInterval> | null = null;

  const meter = h("meter", { min: 0, max: 1, value: 0, "aria-label": "Microphone level", "data-testid": "mic-meter" });
  const micStatus = h("p", { role: "status", "data-testid": "mic-status" }, "Check your microphone before you join.");
  // A check still waiting for the browser's permission prompt: Join waits for
  // it, so that the microphone it opens is handed on, never left recording.
  let checking: Promise<void> | null = null;
  const checkButton = button("Check microphone", () => (checking = checkMicrophone()), { "data-testid": "mic-check" });

  async function checkMicrophone(): Promise<void> {
    checkButton.disabled = true;
    micStatus.textContent = "Asking for the microphone…";
    try {
      microphone?.close();
      microphone = await Microphone.open();
      microphone.enabled = false; // Nothing is sent before joining.
      micProblem = "";
      micStatus.textContent = `Microphone: ${microphone.label || "ready"}. Speak: the bar should move.`;
      join.focus(); // Checked: the next step is joining.
      if (meterTimer !== null) clearInterval(meterTimer);
      // Speech is 0.02-0.2 in RMS; the square root spreads it over the bar as loudness is heard.
      meterTimer = setInterval(() => (meter.value = Math.sqrt(microphone?.level ?? 0)), 100);
    } catch (error) {
      microphone = null;
      micProblem = error instanceof AudioUnavailable ? error.message : `The microphone cannot be used: ${String(error)}`;
      micStatus.textContent = `${micProblem} You can still join to listen and chat.`;
    } finally {
      checkButton.disabled = false;
    }
  }

  const expired = claims.expiresAtMs !== 0 && claims.expiresAtMs < Date.now();
  const refused = linkCheck !== null && !linkCheck.ok ? joinProblem(linkCheck.code, linkCheck.message) : "";
  const sessionName = linkCheck?.ok ? linkCheck.sessionName : "";
  const unusable = expired || refused !== "";
  let join: HTMLButtonElement;
  return new Promise((resolve) => {
    join = button(
      "Join the session",
      async () => {
        join.disabled = true;
        await checking;
        if (meterTimer !== null) clearInterval(meterTimer);
        resolve({ microphone, micProblem });
      },
      { class: "primary", "data-testid": "join" },
    );
    replaceChildren(
      root,
      h(
        "main",
        { class: "join" },
        h("h1", {}, "Balint Room"),
        h(
          "p",
          { class: "lead" },
          "You are joining ",
          sessionName ? [h("strong", {}, sessionName), " "] : null,
          "as ",
          h("strong", {}, claims.displayName),
          ` (${roleWords[claims.role] ?? claims.role}).`,
        ),
        claims.role === "room"
          ? h("p", {}, "This device will be the meeting room's screen and microphone. Put it where the room can see it.")
          : null,
        expired
          ? h("p", { class: "error", role: "alert" }, `This link expired on ${new Date(claims.expiresAtMs).toLocaleString()}. Ask the facilitator for a new one.`)
          : refused
            ? h("p", { class: "error", role: "alert", "data-testid": "join-refused" }, refused)
            : linkCheck === null
              ? h("p", { class: "hint" }, "The server could not be asked about this link; joining will try again.")
              : null,
        // A link that cannot be used says why, once, and offers nothing to press.
        unusable
          ? null
          : [
              h("section", { class: "panel", "aria-label": "Microphone check" }, h("h2", {}, "Microphone"), micStatus, meter, checkButton),
              h(
                "section",
                { class: "panel" },
                h("h2", {}, "Before you join"),
                h(
                  "p",
                  {},
                  "What is said here stays here. Chat and audio are end-to-end encrypted: the server passes them on without being able to read them, and keeps nothing.",
                ),
                join,
              ),
            ],
      ),
    );
    // The first step is the microphone check; it hands focus on to Join.
    if (!unusable) checkButton.focus();
  });
}
