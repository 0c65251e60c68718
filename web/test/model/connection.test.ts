import assert from "node:assert/strict";
import { test } from "node:test";

import { v1 } from "@balint-room/sdk";

import { connectionText, goodbyeText } from "../../src/model/connection.js";

test("the top bar says whether the network dropped or the server is restarting", () => {
  assert.equal(connectionText("reconnecting"), "Connection lost: reconnecting…");
  assert.equal(connectionText("reconnecting", true), "The server is restarting: reconnecting…");
  assert.equal(connectionText("connected", true), "Connected");
  assert.equal(connectionText("connecting"), "Connecting…");
});

test("the last screen says why the server ended the connection, in the person's words", () => {
  assert.equal(goodbyeText(v1.GoodbyeReason.REMOVED, "a facilitator removed you from the session"), "A facilitator removed you from the session");
  assert.equal(goodbyeText(v1.GoodbyeReason.SESSION_ENDED, "the session has ended"), "The session has ended");
  assert.match(goodbyeText(v1.GoodbyeReason.SIGNED_IN_ELSEWHERE, "signed in again"), /another window or device/);
  assert.equal(goodbyeText(v1.GoodbyeReason.LEFT, "you left"), "You left the session");
  assert.equal(goodbyeText(v1.GoodbyeReason.UNSPECIFIED, "something new"), "Disconnected: something new");
});
