// A TCP relay between a client and the server, for tests where the network
// fails, in the two ways networks fail:
//
//   drop()     cuts every connection through it (a close or reset reaches
//              both ends) and refuses new ones, as a pulled cable would;
//   stall()    stops moving bytes without closing anything, and new
//              connections get no further than the relay, as dead Wi-Fi
//              does: nothing tells either end, they only stop hearing;
//   restore()  lets everything through again (a stalled connection goes on
//              where it stopped, as TCP would after retransmitting).
//
// The browser tests use it too (from the SDK's build).
import { type Socket, connect, createServer } from "node:net";

export interface Relay {
  url: string; // http://127.0.0.1:<port>, to put in place of the server's in a link
  drop(): void;
  stall(): void;
  restore(): void;
  close(): Promise<void>;
}

type Mode = "up" | "dropped" | "stalled";

export async function startRelay(serverUrl: string): Promise<Relay> {
  const target = new URL(serverUrl);
  const open = new Set<Socket>();
  const pipes: [Socket, Socket][] = []; // Each direction of each connection.
  const waiting: Socket[] = []; // Arrived while stalled: relayed once restored.
  let mode: Mode = "up";

  const forget = (socket: Socket) => {
    open.delete(socket);
    for (let i = pipes.length - 1; i >= 0; i--) if (pipes[i]!.includes(socket)) pipes.splice(i, 1);
  };
  const relay = (client: Socket) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      from.pipe(to);
      from.on("error", () => to.destroy());
      from.on("close", () => {
        to.destroy();
        forget(from);
      });
      open.add(from);
      pipes.push([from, to]);
    }
  };
  const server = createServer((client) => {
    if (mode === "dropped") return void client.destroy();
    if (mode === "up") return relay(client);
    client.pause();
    client.on("error", () => client.destroy());
    open.add(client);
    waiting.push(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    drop() {
      mode = "dropped";
      for (const socket of open) socket.destroy();
      waiting.length = 0;
    },
    stall() {
      mode = "stalled";
      for (const [from, to] of pipes) {
        from.unpipe(to);
        from.pause();
      }
    },
    restore() {
      if (mode === "stalled") for (const [from, to] of pipes) from.pipe(to);
      mode = "up";
      for (const client of waiting.splice(0)) {
        open.delete(client);
        if (!client.destroyed) relay(client);
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
