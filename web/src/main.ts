// Balint Room in the browser. /join#<token> is an invite: the join screen,
// then the live session. Anything else is the front page.
import { checkJoin, parseJoinLink } from "@balint-room/sdk";

import "./styles.css";
import { LiveSession } from "./live.js";
import { readClaims } from "./model/token.js";
import { h, replaceChildren } from "./ui/dom.js";
import { homeScreen } from "./views/home.js";
import { joinScreen } from "./views/join.js";

async function main(root: HTMLElement): Promise<void> {
  if (!location.pathname.endsWith("/join")) return homeScreen(root);
  let token = "";
  try {
    token = decodeURIComponent(location.hash.slice(1));
  } catch {
    // A fragment cut mid-escape: treated as no token below.
  }
  const claims = readClaims(token);
  if (claims === null) {
    replaceChildren(
      root,
      h("main", { class: "join" }, h("h1", {}, "Balint Room"), h("p", { class: "error", role: "alert" }, "This link is incomplete: ask the facilitator to send it again.")),
    );
    return;
  }
  const target = parseJoinLink(location.href);
  const check = await checkJoin(target).catch(() => null);
  const choice = await joinScreen(root, claims, check);
  await new LiveSession(root, target, choice.microphone, choice.micProblem).start();
}

void main(document.getElementById("app")!);
