// A real balint-server on loopback for the SDK's tests: started on a free
// port with a fresh data directory, sessions created through its admin API,
// clients connected over real WebSockets (the `ws` package: Node 20 has no
// WebSocket of its own).
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

export class ServerProcess {
  private constructor(
    readonly url: string,
    readonly adminSecret: string,
    private readonly child: ChildProcess,
    private readonly dir: string,
    private readonly stderr: () => string,
  ) {}

  /** Starts the server and resolves once it printed its address. */
  static async start(extraArgs: string[] = []): Promise<ServerProcess> {
    const dir = mkdtempSync(joinPath(tmpdir(), "balint-ts-"));
    const child = spawn(serverBinary(), ["--port", "0", "--data-dir", dir, ...extraArgs], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stderr!.on("data", (chunk) => (err += chunk));
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
    const secret = readFileSync(joinPath(dir, "admin.secret"), "utf8").trim();
    return new ServerProcess(url, secret, child, dir, () => err);
  }

  /** The server's log so far. */
  log(): string {
    return this.stderr();
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
    if (this.child.exitCode === null) {
      const exited = new Promise((r) => this.child.once("exit", r));
      this.child.kill("SIGTERM");
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const nodeSocket = (url: string) => new WebSocket(url) as unknown as SocketLike;

/** A client on a real WebSocket, connected with the invite's link. */
export async function join(invite: Invite, options: ClientOptions = {}): Promise<Client> {
  const client = new Client({ socket: nodeSocket, ...options });
  await client.connect(parseJoinLink(invite.link));
  return client;
}
