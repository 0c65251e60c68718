import assert from "node:assert/strict";
import { test } from "node:test";

import { connectionText } from "../../src/model/connection.js";

test("the top bar says whether the network dropped or the server is restarting", () => {
  assert.equal(connectionText("reconnecting"), "Connection lost: reconnecting…");
  assert.equal(connectionText("reconnecting", true), "The server is restarting: reconnecting…");
  assert.equal(connectionText("connected", true), "Connected");
  assert.equal(connectionText("connecting"), "Connecting…");
});
