// A TCP relay between a browser and the server, for tests where the network
// fails: everything is passed through until drop() cuts every connection and
// refuses new ones, as a dead Wi-Fi would; restore() lets them through again.
//
//   const proxy = await startProxy(server.url);   // { url, drop(), restore(), close() }
//   await page.goto(link.replace(server.url, proxy.url));
import { createServer, connect } from "node:net";

export async function startProxy(targetUrl) {
  const target = new URL(targetUrl);
  const open = new Set();
  let down = false;
  const relay = createServer((client) => {
    if (down) return client.destroy();
    const upstream = connect(Number(target.port), target.hostname);
    for (const [a, b] of [[client, upstream], [upstream, client]]) {
      a.pipe(b);
      a.on("error", () => b.destroy());
      a.on("close", () => b.destroy());
    }
    open.add(client).add(upstream);
    client.on("close", () => {
      open.delete(client);
      open.delete(upstream);
    });
  });
  await new Promise((resolve) => relay.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${relay.address().port}`,
    drop() {
      down = true;
      for (const socket of open) socket.destroy();
      open.clear();
    },
    restore() {
      down = false;
    },
    close: () => new Promise((resolve) => {
      for (const socket of open) socket.destroy();
      relay.close(resolve);
    }),
  };
}
