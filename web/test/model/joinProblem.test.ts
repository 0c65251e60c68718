import assert from "node:assert/strict";
import { test } from "node:test";

import { joinProblem } from "../../src/model/joinProblem.js";

test("the server's refusals are explained, with its own words after", () => {
  assert.equal(joinProblem("session_ended", "the session has ended"), "The session has ended. (the session has ended)");
  assert.match(joinProblem("token_revoked", "x"), /^A facilitator has withdrawn this link/);
  assert.equal(joinProblem("something_new", "odd things"), "The server refused this link: odd things.");
});
