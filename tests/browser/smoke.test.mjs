// The harness itself, end to end: a real server, Debian's Chromium talking to
// it, and C++ SDK peers (balint-cli) in a session. If this fails, the web
// client's tests cannot mean anything.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { launchBrowser, screenshot } from "./support/browser.mjs";
import { joinCli } from "./support/cli.mjs";
import { startServer } from "./support/server.mjs";

let server;
let browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test("Chromium reaches the server's health check", async () => {
  const { page, errors } = await browser.person("ada");
  const response = await page.goto(`${server.url}/healthz`);
  assert.equal(response.status(), 200, server.log());
  assert.match(response.headers()["content-type"] ?? "", /json/);
  assert.deepEqual(await response.json(), { status: "ok" });
  await screenshot(page, "healthz");
  assert.deepEqual(errors, []);
});

test("two C++ SDK peers join a session and chat end-to-end encrypted", async () => {
  const session = await server.createSession({
    name: "Harness check",
    format: "ccdg",
    invitees: [
      { id: "ada", name: "Dr Ada", role: "facilitator" },
      { id: "bo", name: "Dr Bo", role: "participant" },
    ],
  });
  const ada = await joinCli(session.link("ada"));
  const bo = await joinCli(session.link("bo"));
  try {
    assert.equal(ada.sessionId, session.session_id);
    assert.equal(ada.participantId, "ada");
    assert.equal(ada.role, "facilitator");
    // Keys are exchanged once each has seen the other join.
    await ada.waitForOutput(/^\* joined: Dr Bo$/m);
    assert.equal(await ada.command("say hello"), "ok");
    await bo.waitForOutput(/^chat Dr Ada: hello$/m);
    assert.equal(await ada.securityCode(), await bo.securityCode());
  } finally {
    assert.equal(await bo.stop(), 0, bo.stderr());
    assert.equal(await ada.stop(), 0, ada.stderr());
  }
});
