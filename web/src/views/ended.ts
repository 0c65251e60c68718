// The last screen. The chat is already wiped: nothing of the session
// stays in the page.
import { h } from "../ui/dom.js";

export function endScreen(name: string, reason: string): HTMLElement {
  return h(
    "main",
    { class: "ended", "data-testid": "ended" },
    h("h1", {}, reason || "The session has ended"),
    h("p", { class: "lead" }, name ? `Thank you for taking part in ${name}.` : "Thank you for taking part."),
    h("p", {}, "The chat has been erased from this screen, and the server never kept it. You can close this window."),
  );
}

/** When the server will not let this link in (ended, revoked, full): said once, not retried. */
export function refusedScreen(problem: string): HTMLElement {
  return h(
    "main",
    { class: "ended", "data-testid": "refused" },
    h("h1", {}, "Cannot join"),
    h("p", { class: "lead", role: "alert" }, problem),
  );
}
