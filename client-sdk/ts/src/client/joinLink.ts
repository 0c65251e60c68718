// Join links and the WebSocket URL they lead to. A join link is
// `<base>/join#<token>`: the token sits in the fragment, which browsers never
// send to a server, so it stays out of every access log on the way.

export interface JoinTarget {
  wsUrl: string; // e.g. ws://127.0.0.1:8080/ws
  token: string;
}

/**
 * Accepts a join link (`http(s)://host[:port][/prefix]/join#<token>`) or a
 * WebSocket URL with `?token=`. The WebSocket URL keeps the host, port and
 * path prefix: ws:// for http://, wss:// for https://. Throws a TypeError
 * naming what is wrong.
 */
export function parseJoinLink(link: string): JoinTarget {
  let url: URL;
  try {
    url = new URL(link.trim());
  } catch {
    throw new TypeError("not a link: expected http(s)://host/join#<token>");
  }
  if (url.protocol === "ws:" || url.protocol === "wss:") {
    const token = url.searchParams.get("token") ?? "";
    if (token === "") throw new TypeError("the WebSocket URL carries no ?token=");
    url.searchParams.delete("token");
    url.hash = "";
    return { wsUrl: url.toString(), token };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new TypeError(`a join link starts with http:// or https://, not ${url.protocol}//`);
  const token = decodeURIComponent(url.hash.replace(/^#/, ""));
  if (token === "") throw new TypeError("the link carries no token after '#'");
  if (!url.pathname.endsWith("/join")) throw new TypeError("a join link's path ends in /join");
  const prefix = url.pathname.slice(0, -"/join".length);
  const scheme = url.protocol === "https:" ? "wss:" : "ws:";
  return { wsUrl: `${scheme}//${url.host}${prefix}/ws`, token };
}

/**
 * The WebSocket URL with the token in its query, as browsers must send it
 * (they cannot set headers); with a resume credential (Welcome's), that
 * instead of the token.
 */
export function socketUrl(target: JoinTarget, resumeCredential = ""): string {
  const url = new URL(target.wsUrl);
  if (resumeCredential !== "") url.searchParams.set("resume", resumeCredential);
  else url.searchParams.set("token", target.token);
  return url.toString();
}
