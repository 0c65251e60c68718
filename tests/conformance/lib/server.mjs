// The real balint-server for the suite: started once on a free loopback
// port with a fresh data directory and a config that lifts the command rate
// limit (every conformance message is a refused command), sessions created
// through the admin API, one join token per lane. A lane is used by one case
// at a time, so a new connection never replaces a live one, and each lane is
// a session of its own, so no case sees another's members come and go.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export function serverBinary(repoRoot) {
  const binary =
    process.env.BALINT_SERVER ?? path.resolve(repoRoot, process.env.BALINT_BUILD_DIR ?? 'build', 'server/app/balint-server');
  if (!existsSync(binary)) throw new Error(`no server binary at ${binary}: build first (bash deploy/build.sh) or set BALINT_SERVER`);
  return binary;
}

// Everything default but the command rate.
export const CONFIG = { commands_per_second: 100000, command_burst: 100000 };

export class Server {
  static async start({ binary, lanes }) {
    const dir = mkdtempSync(path.join(tmpdir(), 'balint-conformance-'));
    const configFile = path.join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify(CONFIG, null, 2));
    const dataDir = path.join(dir, 'data');
    const child = spawn(binary, ['--port', '0', '--data-dir', dataDir, '--config', configFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // If this process dies first, the server goes with it.
    const reap = () => child.kill('SIGKILL');
    process.once('exit', reap);
    const server = new Server(child, dir, dataDir, reap);
    try {
      server.url = await server.address();
      server.port = Number(new URL(server.url).port);
      server.adminSecret = readFileSync(path.join(dataDir, 'admin.secret'), 'utf8').trim();
      server.tokens = [];
      for (let i = 0; i < lanes; i++) {
        const session = await server.createSession({
          name: `conformance lane ${i + 1}`,
          format: 'ccdg',
          invitees: [
            { name: 'Conformance', role: 'facilitator' },
            { name: 'Bystander', role: 'participant' },
          ],
        });
        server.tokens.push(session.invites[0].token);
      }
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  constructor(child, dir, dataDir, reap) {
    this.child = child;
    this.dir = dir;
    this.dataDir = dataDir;
    this.reap = reap;
    this.log = '';
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      this.log += chunk;
      if (this.log.length > 1 << 20) this.log = this.log.slice(-(1 << 19));
    });
  }

  address() {
    return new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`the server did not start within 10 s: ${this.log}`)), 10_000);
      this.child.stdout.setEncoding('utf8').on('data', (chunk) => {
        out += chunk;
        const match = /^ {2}Server: +(\S+)$/m.exec(out);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      this.child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the server exited (${code ?? signal}): ${this.log}`));
      });
    });
  }

  async createSession(body) {
    const response = await fetch(`${this.url}/api/v1/sessions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${this.adminSecret}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = await response.json();
    if (response.status !== 201) throw new Error(`cannot create a session: ${response.status} ${JSON.stringify(answer)}`);
    return answer;
  }

  get running() {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  // SIGTERM, SIGKILL after 8 s; the data directory goes.
  async stop() {
    if (this.running) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 8000);
      await exited;
      clearTimeout(timer);
    }
    process.off('exit', this.reap);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// Hands out the lanes' tokens, one case at a time each.
export class Lanes {
  constructor(tokens) {
    this.free = [...tokens];
    this.queue = [];
  }

  acquire() {
    if (this.free.length) return Promise.resolve(this.free.pop());
    return new Promise((resolve) => this.queue.push(resolve));
  }

  release(token) {
    const next = this.queue.shift();
    if (next) next(token);
    else this.free.push(token);
  }
}
