// The chat: end-to-end encrypted, never stored. Messages live only in this
// panel; wipe() empties it (at the end of the session, and when the page
// goes). The security code sits on top: the same digits on every screen
// mean nobody else holds the keys.
import { type ChatMessage, v1 } from "@balint-room/sdk";

import type { SessionView } from "../model/session.js";
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
  private wiped = false; // After wipe(), nothing is shown again.
  private myId = "";

  constructor(private readonly sendChat: SendChat) {
    this.log = h("ol", { class: "messages", "aria-live": "polite", "aria-label": "Chat messages", "data-testid": "chat-log" });
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
    this.recipient = h("select", { id: "chat-to", "aria-label": "Send to" });
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
    const others = view.people.filter((p) => !p.me && p.connected && !p.inRoom);
    replaceChildren(
      this.recipient,
      h("option", { value: "" }, "Everyone"),
      others.map((p) => h("option", { value: p.id }, p.name)),
    );
    this.recipient.value = others.some((p) => p.id === chosen) ? chosen : "";
    const silenced = view.me !== undefined && !view.me.mayChat;
    this.input.disabled = silenced || view.ended;
    this.sendButton.disabled = silenced || view.ended;
    this.input.placeholder = silenced ? "Chat is paused for you in this phase" : "Write a message";
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

  private append(item: HTMLElement): void {
    if (this.wiped) return;
    this.log.appendChild(item);
    item.scrollIntoView({ block: "nearest" });
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
      this.append(h("li", { class: recipientId ? "mine direct" : "mine" }, h("strong", {}, "You", to, ": "), text));
    } else {
      this.status.textContent = `Not sent: ${result.message}`;
    }
  }
}
