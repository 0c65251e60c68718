// A real balint-server on loopback for the browser tests: a free port, a fresh
// data directory, and the built web client as its web root.
//
//   const server = await startServer();        // options below
//   server.url          "http://127.0.0.1:PORT", from the server's banner
//   server.webRoot      the folder passed as --web-root, or null if none was
//   server.adminSecret  read from <data-dir>/admin.secret
//   server.dataDir      the temporary data directory (removed by stop())
//   await server.createSession({ name, format: "ccdg", invitees: [{ id, name, role }] })
//                       POST /api/v1/sessions; resolves to the server's answer
//                       ({ session_id, invites: [{ participant_id, name, role, link, ... }] })
//                       plus link(id), the join link of the invitee with that id
//   server.log()        everything the server wrote to stderr so far (its log),
//                       across restarts
//   await server.terminate()   SIGTERM (SIGKILL after 5 s) and wait for the exit;
//                       the data directory stays, for startAgain()
//   await server.startAgain()  after terminate(): the server again with the same
//                       port, data directory and arguments (it restores its sessions)
//   await server.stop() terminate(), then remove the data directory
//
// startServer options:
//   webRoot  "auto" (default): <repo>/web/dist when its index.html exists and
//            the binary lists --web-root in --help; a path: that folder;
//            false: none
//   args     more command-line arguments for the server
//
// The binary is $BALINT_SERVER, else <repo>/$BALINT_BUILD_DIR/server/app/balint-server.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

import { builtBinary, repoRoot } from "./paths.mjs";

const startTimeoutMs = 10_000;

export const serverBinary = () => builtBinary("BALINT_SERVER", "server/app/balint-server");

// Asking the binary rather than assuming keeps the harness usable with a
// server built before static serving existed.
function defaultWebRoot(binary) {
  const dist = resolve(repoRoot, "web/dist");
  if (!existsSync(join(dist, "index.html"))) return null;
  const help = execFileSync(binary, ["--help"], { encoding: "utf8" });
  return help.includes("--web-root") ? dist : null;
}

export async function startServer({ webRoot = "auto", args = [] } = {}) {
  const binary = serverBinary();
  const root = webRoot === "auto" ? defaultWebRoot(binary) : webRoot || null;
  const dataDir = mkdtempSync(join(tmpdir(), "balint-browser-"));
  const argv = ["--data-dir", dataDir, ...(root ? ["--web-root", root] : []), ...args];
  const logged = { text: "" };
  let running;
  try {
    running = await launch(binary, ["--port", "0", ...argv], logged);
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const { url } = running;
  const adminSecret = readFileSync(join(dataDir, "admin.secret"), "utf8").trim();

  const server = {
    url,
    webRoot: root,
    adminSecret,
    dataDir,
    log: () => logged.text,

    async createSession(body) {
      const response = await fetch(`${url}/api/v1/sessions`, {
        method: "POST",
        headers: { Authorization: `Bearer ${adminSecret}`, "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      const text = await response.text();
      if (response.status !== 201) throw new Error(`cannot create a session (${response.status}): ${text}`);
      const answer = JSON.parse(text);
      answer.link = (id) => {
        const invite = answer.invites.find((i) => i.participant_id === id);
        if (!invite) throw new Error(`no invitee "${id}" in session ${answer.session_id}`);
        return invite.link;
      };
      return answer;
    },

    async terminate() {
      await running.terminate();
    },

    async startAgain() {
      running = await launch(binary, ["--port", new URL(url).port, ...argv], logged);
    },

    async stop() {
      await server.terminate();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

// Spawns the server and resolves once it printed its address, with
// terminate(); what it writes to stderr goes on logged.text.
async function launch(binary, argv, logged) {
  const child = spawn(binary, argv, { stdio: ["ignore", "pipe", "pipe"] });
  // A test file that crashes must not leave its server running.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);

  let stdout = "";
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (text) => {
    stderr += text;
    logged.text += text;
  });
  child.stdout.setEncoding("utf8");
  let url;
  try {
    url = await new Promise((resolveUrl, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`balint-server printed no address within ${startTimeoutMs} ms:\n${stderr}`)),
        startTimeoutMs,
      );
      child.stdout.on("data", (text) => {
        stdout += text;
        const match = /^ {2}Server: +(http\S+)$/m.exec(stdout);
        if (match) {
          clearTimeout(timer);
          resolveUrl(match[1]);
        }
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`balint-server exited (${code ?? signal}) before it printed its address:\n${stderr}`));
      });
      child.once("error", reject);
    });
  } catch (error) {
    child.kill("SIGKILL");
    process.off("exit", killOnExit);
    throw error;
  }
  // Keep reading stdout so the pipe never fills and blocks the server.
  child.stdout.resume();

  return {
    url,
    async terminate() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        // A server that hangs on shutdown fails its own test, not the whole run.
        const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(timer);
      }
      process.off("exit", killOnExit);
    },
  };
}
