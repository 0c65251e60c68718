// The server's front page: create a session and hand out its links. It
// speaks to the admin API with the admin secret, which stays in this page's
// memory (never in storage, which browsers may write to disk) and goes only
// to this server.
import { h, replaceChildren } from "../ui/dom.js";

interface Invite {
  participant_id: string;
  name: string;
  role: string;
  presenter: boolean;
  link: string;
}

let rememberedSecret = ""; // For a second session from the same page.

/** "Dr Ada: facilitator" lines into invitees; a missing role means participant. */
export function parseInvitees(text: string): { name: string; role: string }[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .map((line) => {
      const colon = line.lastIndexOf(":");
      if (colon < 0) return { name: line, role: "participant" };
      return { name: line.slice(0, colon).trim(), role: line.slice(colon + 1).trim().toLowerCase().replace("-", "_") };
    });
}

export function homeScreen(root: HTMLElement): void {
  const secret = h("input", { id: "admin-secret", type: "password", autocomplete: "off", required: true, value: rememberedSecret });
  const name = h("input", { id: "session-name", type: "text", required: true, maxlength: 200, value: "Our group" });
  const format = h("select", { id: "session-format" }, h("option", { value: "ccdg" }, "Clinical Case Discussion Group (60 min)"), h("option", { value: "balint" }, "Balint group (60 min)"));
  const invitees = h(
    "textarea",
    { id: "session-invitees", rows: 6, required: true },
    "Facilitator: facilitator\nPresenter: presenter\nMember one: participant\nMember two: participant\nMeeting room: room",
  );
  const rules = h("textarea", { id: "session-rules", rows: 2 }, "What is said here stays here. Speak from your own experience.");
  const error = h("p", { class: "error", role: "alert" });
  const result = h("section", { "aria-live": "polite" });

  const create = async (event: Event) => {
    event.preventDefault();
    error.textContent = "";
    rememberedSecret = secret.value;
    const body = { name: name.value, format: format.value, ground_rules: rules.value, invitees: parseInvitees(invitees.value) };
    let response: Response;
    try {
      // Relative, so that a server behind a path prefix is reached under it.
      response = await fetch(new URL("api/v1/sessions", location.href), {
        method: "POST",
        headers: { Authorization: `Bearer ${secret.value}`, "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
    } catch (cause) {
      error.textContent = `The server cannot be reached: ${String(cause)}`;
      return;
    }
    const answer = (await response.json().catch(() => ({}))) as { invites?: Invite[]; error?: { message: string } };
    if (!response.ok || answer.invites === undefined) {
      error.textContent = `Not created: ${answer.error?.message ?? response.statusText}`;
      return;
    }
    replaceChildren(
      result,
      h("h2", {}, "Links, one per person"),
      h("p", {}, "Each link is that person's key to the session: send it to them alone."),
      h(
        "ul",
        { class: "links", "data-testid": "invite-links" },
        answer.invites.map((i) =>
          h(
            "li",
            {},
            h("strong", {}, i.name),
            ` (${i.presenter ? "presenter" : i.role.replace("_", "-")}) `,
            h("input", { type: "text", readonly: true, value: i.link, "aria-label": `Link for ${i.name}` }),
            h("a", { href: i.link, target: "_blank", rel: "noopener" }, "Open"),
          ),
        ),
      ),
    );
  };

  replaceChildren(
    root,
    h(
      "main",
      { class: "home" },
      h("h1", {}, "Balint Room"),
      h("p", { class: "lead" }, "Structured case discussion for clinicians, in the room and remote. Members join from the link they are given."),
      h(
        "form",
        { class: "panel", onsubmit: (e: Event) => void create(e) },
        h("h2", {}, "Create a session"),
        h("label", { for: "admin-secret" }, "Admin secret ", h("span", { class: "hint" }, "(the server's data/admin.secret)")),
        secret,
        h("label", { for: "session-name" }, "Name"),
        name,
        h("label", { for: "session-format" }, "Format"),
        format,
        h("label", { for: "session-invitees" }, "People, one per line: name: role (facilitator, co-facilitator, presenter, participant, room)"),
        invitees,
        h("label", { for: "session-rules" }, "Ground rules, shown at check-in"),
        rules,
        h("button", { type: "submit", class: "primary" }, "Create session"),
        error,
      ),
      result,
    ),
  );
}
