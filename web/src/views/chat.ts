// The chat: end-to-end encrypted, never stored. Messages live only in this
// panel; wipe() empties it (at the end of the session, and when the page
// goes). The security code sits on top: the same digits on every screen
// mean nobody else holds the keys.
import { type ChatMessage, v1 } from "@balint-room/sdk";

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
  // The recipient was put on a facilitator by a pause, not picked by the
  // person: once the pause ends it goes back to Everyone (as soon as nothing
  // half-typed for the facilitator would go to the group instead).
  private recipientForced = false;
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
    this.recipient = h("select", { id: "chat-to", "aria-label": "Send to", onchange: () => (this.recipientForced = false) });
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
    this.names = new Map(view.people.map((p) => [p.id, p.name]));
    this.code.textContent = securityCode || "(waiting for keys)";
    const chosen = this.recipient.value;
    // While the phase pauses my chat, the server still relays a private
    // message to a facilitator: the list offers only them, and says so.
    const paused = view.me !== undefined && !view.me.mayChat;
    const others = view.people.filter((p) => !p.me && p.connected && !p.inRoom && (!paused || isFacilitatorRole(p.role)));
    replaceChildren(
      this.recipient,
      paused ? null : h("option", { value: "" }, "Everyone"),
      others.map((p) => h("option", { value: p.id }, p.name)),
    );
    this.paused = paused;
    if (paused && !others.some((p) => p.id === chosen)) this.recipientForced = true;
    this.recipient.value = others.some((p) => p.id === chosen) ? chosen : paused ? others[0]?.id ?? "" : "";
    this.releaseRecipient();
    const closed = view.ended || (paused && others.length === 0);
    this.input.disabled = closed;
    this.sendButton.disabled = closed || this.sending;
    this.input.placeholder = !paused
      ? "Write a message"
      : others.length > 0
        ? "Chat with the group is paused in this phase: write privately to a facilitator"
        : "Chat is paused for you in this phase";
  }

  private releaseRecipient(): void {
    if (this.paused || !this.recipientForced || this.input.value.trim() !== "") return;
    this.recipientForced = false;
    this.recipient.value = "";
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
    if (text === "" || this.sending) return; // Enter pressed again while sending.
    const recipientId = this.recipient.value;
    this.sending = true;
    this.sendButton.disabled = true;
    const result = await this.sendChat(text, recipientId);
    this.sending = false;
    this.sendButton.disabled = false;
    if (this.wiped) return;
    if (result.code === v1.ErrorCode.OK) {
      this.input.value = "";
      this.status.textContent = "";
      const to = recipientId ? ` → ${this.names.get(recipientId) ?? recipientId}` : "";
      this.append(h("li", { class: recipientId ? "mine direct" : "mine" }, h("strong", {}, "You", to, ": "), text), true);
      this.releaseRecipient();
    } else {
      this.status.textContent = `Not sent: ${result.message}`;
    }
  }
}
