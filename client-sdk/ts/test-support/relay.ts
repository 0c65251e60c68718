// A TCP relay between a client and the server, for tests where the network
// fails: drop() cuts every connection through it and refuses new ones until
// restore(), as a dead Wi-Fi would.
import { type Socket, connect, createServer } from "node:net";

export interface Relay {
  url: string; // http://127.0.0.1:<port>, to put in place of the server's in a link
  drop(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startRelay(serverUrl: string): Promise<Relay> {
  const target = new URL(serverUrl);
  const open = new Set<Socket>();
  let down = false;
  const relay = createServer((client) => {
    if (down) return void client.destroy();
    const upstream = connect(Number(target.port), target.hostname);
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      from.pipe(to);
      from.on("error", () => to.destroy());
      from.on("close", () => {
        to.destroy();
        open.delete(from);
      });
      open.add(from);
    }
  });
  await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
  const address = relay.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    drop() {
      down = true;
      for (const socket of open) socket.destroy();
    },
    restore() {
      down = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        relay.close(() => resolve());
      }),
  };
}
