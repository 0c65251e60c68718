// The chat: end-to-end encrypted, never stored. Messages live only in this
// panel; wipe() empties it (at the end of the session, and when the page
// goes). The security code sits on top: the same digits on every screen
// mean nobody else holds the keys.
import { type ChatMessage, v1 } from "@balint-room/sdk";

import { type Reachable, chooseRecipient } from "../model/recipient.js";
import { isFacilitatorRole, type SessionView } from "../model/session.js";
import { h, replaceChildren } from "../ui/dom.js";

type SendChat = (text: string, recipientId: string) => Promise<v1.CommandResult>;

export class ChatPanel {
  readonly element: HTMLElement;
  private readonly log: HTMLOListElement;
  private readonly code: HTMLElement;
  private readonly input: HTMLTextAreaElement;
  private readonly recipient: HTMLSelectElement;
  private readonly status: HTMLElement;
  private readonly sendButton: HTMLButtonElement;
  private names = new Map<string, string>();
  private sending = false;
  private paused = false;
  private reachable: Reachable[] = [];
  private recipientId = ""; // Whom the box writes to; "" is everyone (model/recipient.ts).
  private recipientForced = false;
  private note = ""; // The recipient's last note in the status line.
  private wiped = false; // After wipe(), nothing is shown again.
  private myId = "";

  constructor(private readonly sendChat: SendChat) {
    // Focusable, so that a keyboard can scroll back through it.
    this.log = h("ol", { class: "messages", tabindex: 0, "aria-live": "polite", "aria-label": "Chat messages", "data-testid": "chat-log" });
    this.code = h("p", { class: "code", "data-testid": "security-code" });
    // No spell checking: some browsers send what is typed to an online checker.
    this.input = h("textarea", {
      id: "chat-input",
      rows: 2,
      maxlength: 4000,
      placeholder: "Write a message",
      spellcheck: "false",
      autocomplete: "off",
      autocorrect: "off",
      "data-gramm": "false",
    });
    this.recipient = h("select", {
      id: "chat-to",
      "aria-label": "Send to",
      onchange: () => {
        this.recipientId = this.recipient.value;
        this.recipientForced = this.paused; // Picked while paused: the pause's choice still.
        this.showRecipient();
      },
    });
    this.input.addEventListener("input", () => this.showRecipient());
    this.status = h("p", { class: "hint", role: "status" });
    this.sendButton = h("button", { type: "submit" }, "Send");
    this.input.addEventListener("keydown", (event) => {
      // Enter sends, Shift+Enter starts a new line, as in most chat boxes.
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        void this.submit();
      }
    });
    const form = h(
      "form",
      { class: "compose", onsubmit: (event: Event) => (event.preventDefault(), void this.submit()) },
      h("label", { for: "chat-input", class: "visually-hidden" }, "Message"),
      this.input,
      h("div", { class: "actions" }, h("label", { for: "chat-to" }, "To "), this.recipient, this.sendButton),
    );
    this.element = h(
      "section",
      { class: "panel chat", "aria-labelledby": "chat-title" },
      h("h3", { id: "chat-title" }, "Chat ", h("span", { class: "hint" }, "end-to-end encrypted, never stored")),
      h("div", { class: "code-box" }, h("p", { class: "label" }, "Security code"), this.code),
      this.log,
      form,
      this.status,
    );
  }

  update(view: SessionView, securityCode: string): void {
    this.myId = view.me?.id ?? "";
    for (const p of view.people) this.names.set(p.id, p.name); // Kept for those who leave: "Dr Cy (away)".
    this.code.textContent = securityCode || "(waiting for keys)";
    // While the phase pauses my chat, the server still relays a private
    // message to a facilitator: the list offers only them, and says so.
    this.paused = view.me !== undefined && !view.me.mayChat;
    this.reachable = view.people
      .filter((p) => !p.me && p.connected && !p.inRoom)
      .map((p) => ({ id: p.id, name: p.name, leader: isFacilitatorRole(p.role) }));
    const closed = view.ended || (this.paused && !this.reachable.some((p) => p.leader));
    this.input.disabled = closed;
    this.input.placeholder = !this.paused
      ? "Write a message"
      : !closed
        ? "Chat with the group is paused in this phase: write privately to a facilitator"
        : "Chat is paused for you in this phase";
    this.showRecipient();
  }

  // Whom the box writes to now, shown in the list, with a word when it changed by itself.
  private showRecipient(): void {
    const choice = chooseRecipient({
      paused: this.paused,
      reachable: this.reachable,
      names: this.names,
      typed: this.input.value.trim() !== "",
      current: this.recipientId,
      forced: this.recipientForced,
    });
    this.recipientId = choice.current;
    this.recipientForced = choice.forced;
    replaceChildren(
      this.recipient,
      choice.options.map((o) => h("option", { value: o.value }, o.label)),
    );
    this.recipient.value = choice.current;
    this.sendButton.disabled = this.input.disabled || this.sending || !choice.canSend;
    // A note stays until the situation it describes is over.
    if (choice.note !== "") this.status.textContent = choice.note;
    else if (this.status.textContent === this.note) this.status.textContent = "";
    this.note = choice.note;
  }

  add(message: ChatMessage): void {
    const from = this.names.get(message.senderId) ?? message.senderId;
    const to = message.recipientId ? ` → ${message.recipientId === this.myId ? "you" : this.names.get(message.recipientId) ?? ""}` : "";
    this.append(h("li", { class: message.recipientId ? "direct" : "" }, h("strong", {}, from, to, ": "), message.text));
  }

  /** A line from the app itself: membership changes, rejected messages. */
  notice(text: string): void {
    // People joining one after another change the code each time: one line says it.
    const last = this.log.lastElementChild;
    if (last?.classList.contains("notice") && last.textContent === text) return;
    this.append(h("li", { class: "notice", "data-testid": "chat-notice" }, text));
  }

  /** Everything shown is gone: the DOM holds no message any more. */
  wipe(): void {
    this.wiped = true;
    this.log.replaceChildren();
    this.input.value = "";
    this.code.textContent = "";
  }

  // Scrolls the log only, never the page (on a phone the phase and the
  // microphone must stay in view), and only when the reader is at the end:
  // someone reading back is not pulled away.
  private append(item: HTMLElement, mine = false): void {
    if (this.wiped) return;
    const log = this.log;
    const atEnd = log.scrollHeight - log.scrollTop - log.clientHeight < 24;
    log.appendChild(item);
    if (atEnd || mine) log.scrollTop = log.scrollHeight;
  }

  private async submit(): Promise<void> {
    const text = this.input.value.trim();
    // Enter pressed again while sending, or nobody who can receive it chosen.
    if (text === "" || this.sendButton.disabled) return;
    const recipientId = this.recipient.value;
    this.sending = true;
    this.sendButton.disabled = true;
    const result = await this.sendChat(text, recipientId);
    this.sending = false;
    if (this.wiped) return;
    if (result.code === v1.ErrorCode.OK) {
      this.input.value = "";
      this.status.textContent = "";
      const to = recipientId ? ` → ${this.names.get(recipientId) ?? recipientId}` : "";
      this.append(h("li", { class: recipientId ? "mine direct" : "mine" }, h("strong", {}, "You", to, ": "), text), true);
      this.showRecipient();
    } else {
      this.showRecipient();
      this.status.textContent = `Not sent: ${result.message}`;
    }
  }
}
