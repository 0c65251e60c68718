// A member played by the C++ SDK: `balint-cli join LINK` with its stdin and
// stdout piped, so a browser test can have a native client in the same session
// and check what the browser sent (chat, phases, the security code) from the
// other side.
//
//   const bo = await joinCli(link);           // resolves after "joined session ..."
//       options: { screen: false } adds --no-screen (no state screens printed);
//                { timeoutMs: 10000 } for the "joined" line
//   bo.sessionId, bo.participantId, bo.role   from the "joined" line
//   bo.send("say hello")                      writes one command line
//   await bo.waitForOutput(/^chat Dr Ada: hi$/m, 5000)
//                                             the match (an array) of the first
//                                             occurrence in what was printed after
//                                             the previous match; each match moves
//                                             that starting point past itself, so
//                                             the same pattern waits for a new line
//   await bo.command("next")                  send, then wait for "result next: ..."
//                                             and return what follows ("ok", or
//                                             "PERMISSION_DENIED: ..."), or
//                                             "error: ..." for a line it cannot parse
//   await bo.securityCode()                   "12345 67890 ..." (the `code` command)
//   bo.output()                               everything printed so far
//   bo.stderr()                               everything written to stderr so far
//   await bo.stop()                           close stdin (the CLI leaves), wait for
//                                             the exit (SIGKILL after 3 s); the exit code
//
// What the CLI prints (client-sdk/cli/join.cpp): "chat NAME: TEXT" and
// "chat NAME (to you): TEXT" for incoming chat, "result VERB: ok|CODE: message"
// for every command, "* EVENT" lines, "security code: DIGITS", and a screen
// after every state change unless screen is false.
//
// The binary is $BALINT_CLI, else <repo>/$BALINT_BUILD_DIR/client-sdk/cli/balint-cli.
import { spawn } from "node:child_process";

import { builtBinary } from "./paths.mjs";

export const cliBinary = () => builtBinary("BALINT_CLI", "client-sdk/cli/balint-cli");

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export async function joinCli(link, { screen = true, timeoutMs = 10_000 } = {}) {
  const argv = ["join", link, ...(screen ? [] : ["--no-screen"])];
  const child = spawn(cliBinary(), argv, { stdio: ["pipe", "pipe", "pipe"] });
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);

  let out = "";
  let err = "";
  let cursor = 0;
  let exit = null; // { code, signal } once the CLI has ended.
  const waiters = new Set();

  const settle = () => {
    for (const waiter of waiters) waiter.check();
  };
  child.stdout.setEncoding("utf8").on("data", (text) => {
    out += text;
    settle();
  });
  child.stderr.setEncoding("utf8").on("data", (text) => (err += text));
  const exited = new Promise((resolve) => {
    child.once("exit", (code, signal) => {
      exit = { code, signal };
      process.off("exit", killOnExit);
      settle();
      resolve(exit);
    });
  });
  child.once("error", (error) => {
    err += `${error.message}\n`;
    exit = exit ?? { code: null, signal: null };
    settle();
  });
  // A write after the CLI ended would raise EPIPE on the stream; the test sees
  // the ended CLI through waitForOutput instead.
  child.stdin.on("error", () => {});

  const describeEnd = () => (exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`);

  function waitForOutput(pattern, ms = 5000) {
    const regex = pattern instanceof RegExp ? pattern : new RegExp(escapeRegExp(String(pattern)));
    return new Promise((resolve, reject) => {
      const waiter = {
        check() {
          const match = regex.exec(out.slice(cursor));
          if (match) {
            cursor += match.index + match[0].length;
            done();
            resolve(match);
          } else if (exit) {
            done();
            reject(new Error(`balint-cli ended (${describeEnd()}) before printing ${regex}:\n${err}${out.slice(cursor)}`));
          }
        },
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`balint-cli printed no ${regex} within ${ms} ms; since the last match:\n${out.slice(cursor)}${err}`));
      }, ms);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(waiter);
      };
      waiters.add(waiter);
      waiter.check();
    });
  }

  const send = (line) => {
    child.stdin.write(`${line}\n`);
  };

  let joined;
  try {
    joined = await waitForOutput(/^joined session (\S+) as (\S+) \(([^)]*)\)$/m, timeoutMs);
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }

  return {
    sessionId: joined[1],
    participantId: joined[2],
    role: joined[3],
    send,
    waitForOutput,
    output: () => out,
    stderr: () => err,

    async command(line, ms = 5000) {
      const verb = line.trim().split(/\s+/)[0];
      send(line);
      // A line the CLI cannot parse gets "error: ..." instead of a result.
      const match = await waitForOutput(new RegExp(`^(?:result ${escapeRegExp(verb)}: (.*)|error: (.*))$`, "m"), ms);
      return match[1] ?? `error: ${match[2]}`;
    },

    async securityCode(ms = 5000) {
      // Start after everything printed so far: a screen also shows the code.
      cursor = out.length;
      send("code");
      return (await waitForOutput(/^security code: (\d{5}(?: \d{5})*)$/m, ms))[1];
    },

    async stop() {
      if (!exit) {
        child.stdin.end();
        const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
        await exited;
        clearTimeout(timer);
      }
      return exit.code;
    },
  };
}
