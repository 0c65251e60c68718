// A real balint-server on loopback for the SDK's tests: started on a free
// port with a fresh data directory (and, for a restart, stopped and started
// again on both), sessions created through its admin API, clients connected
// over real WebSockets (the `ws` package: Node 20 has no WebSocket of its own).
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join as joinPath, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";

import { Client, type ClientOptions, type SocketLike, parseJoinLink } from "../src/index.js";

const repoRoot = resolve(fileURLToPath(import.meta.url), "../../../../..");

/** The server binary: $BALINT_SERVER, else the ordinary build's. */
export function serverBinary(): string {
  const path = process.env.BALINT_SERVER ?? resolve(repoRoot, process.env.BALINT_BUILD_DIR ?? "build", "server/app/balint-server");
  if (!existsSync(path)) throw new Error(`no server binary at ${path}: build first (bash deploy/build.sh) or set BALINT_SERVER`);
  return path;
}

export interface Invite {
  participant_id: string;
  name: string;
  role: string;
  link: string;
}

// What the server wrote to stderr, across restarts.
interface Log {
  text: string;
}

export class ServerProcess {
  private constructor(
    readonly url: string,
    readonly adminSecret: string,
    readonly dataDir: string,
    private child: ChildProcess,
    private readonly args: string[],
    private readonly logged: Log,
  ) {}

  /** Starts the server and resolves once it printed its address. */
  static async start(extraArgs: string[] = []): Promise<ServerProcess> {
    const dir = mkdtempSync(joinPath(tmpdir(), "balint-ts-"));
    const args = ["--data-dir", dir, ...extraArgs];
    const logged = { text: "" };
    const { child, url } = await launch(["--port", "0", ...args], logged);
    const secret = readFileSync(joinPath(dir, "admin.secret"), "utf8").trim();
    return new ServerProcess(url, secret, dir, child, args, logged);
  }

  /** SIGTERM, as a service manager stops it; resolves once it exited. The data directory stays. */
  async terminate(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once("exit", r));
    this.child.kill("SIGTERM");
    await exited;
  }

  /** After terminate(): the server again, on the same port and data directory (it restores its sessions). */
  async startAgain(): Promise<void> {
    const port = new URL(this.url).port;
    this.child = (await launch(["--port", port, ...this.args], this.logged)).child;
  }

  /** The server's log so far. */
  log(): string {
    return this.logged.text;
  }

  /** POST /api/v1/sessions; the invites in the order given. */
  async createSession(body: Record<string, unknown>): Promise<{ session_id: string; invites: Invite[] }> {
    const response = await fetch(`${this.url}/api/v1/sessions`, {
      method: "POST",
      headers: { Authorization: `Bearer ${this.adminSecret}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const answer = (await response.json()) as { session_id: string; invites: Invite[] };
    if (response.status !== 201) throw new Error(`cannot create a session: ${JSON.stringify(answer)}`);
    return answer;
  }

  async stop(): Promise<void> {
    await this.terminate();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

// Spawns the server and resolves once it printed its address; its log goes on `logged`.
async function launch(args: string[], logged: Log): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(serverBinary(), args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    err += chunk;
    logged.text += chunk;
  });
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start within 10 s: ${err}`)), 10_000);
    child.stdout!.on("data", (chunk) => {
      out += chunk;
      const match = /^ {2}Server: +(\S+)$/m.exec(out);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]!);
      }
    });
    child.on("exit", (code) => reject(new Error(`the server exited (${code}): ${err}`)));
  });
  return { child, url };
}

const nodeSocket = (url: string) => new WebSocket(url) as unknown as SocketLike;

/** A client on a real WebSocket, connected with the invite's link. */
export async function join(invite: Invite, options: ClientOptions = {}): Promise<Client> {
  const client = new Client({ socket: nodeSocket, ...options });
  await client.connect(parseJoinLink(invite.link));
  return client;
}
