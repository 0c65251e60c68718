// A weak link between a page and the server: the balint_weak_link relay
// (tests/tools/weak_link.cpp), which carries at most `rate` bytes a second
// towards the page and holds almost nothing itself, so that what the link
// cannot carry backs up into the server, as on a real network.
//
//   const link = await startWeakLink(serverUrl)
//   link.url         http://127.0.0.1:<port>, to put in place of the server's in a link
//   link.limit(40_000)   at most that many bytes a second towards pages from now on
//                        (0: not limited, as at the start, so that a page loads)
//   await link.close()
import { spawn } from "node:child_process";

import { builtBinary } from "./paths.mjs";
import { waitFor } from "./browser.mjs";

export async function startWeakLink(serverUrl) {
  const binary = builtBinary("BALINT_WEAK_LINK", "tests/balint_weak_link");
  const child = spawn(binary, ["--to", new URL(serverUrl).port], { stdio: ["pipe", "pipe", "inherit"] });
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (text) => (out += text));
  const port = await waitFor(() => out.match(/listening on (\d+)/)?.[1] ?? null, { what: "the weak link listening", timeoutMs: 5000 });
  return {
    url: `http://127.0.0.1:${port}`,
    limit: (rate) => void child.stdin.write(`rate ${rate}\n`),
    close: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.stdin.end(); // It ends when its stdin does.
      }),
  };
}
