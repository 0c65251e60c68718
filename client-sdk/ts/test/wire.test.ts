// The wire types come from proto/ through protoc-gen-es: these tests pin
// the field numbers the C++ server reads, byte for byte, so that a change to
// the proto that the generated code did not follow cannot pass.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  ClientMessageSchema,
  ErrorCode,
  ServerMessageSchema,
  SpeakingRule,
} from "../src/gen/balint/v1/balint_pb.js";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

test("a chat upload is encoded with the proto's field numbers", () => {
  const message = create(ClientMessageSchema, {
    requestId: 7n,
    body: { case: "chat", value: { epoch: 3n, counter: 1n, recipientId: "p1" } },
  });
  // request_id = 1 (varint 7); chat = 4 (8 bytes: epoch = 1, counter = 2, recipient_id = 3).
  assert.equal(hex(toBinary(ClientMessageSchema, message)), "0807" + "2208" + "0803" + "1001" + "1a027031");
});

test("a relayed chat message decodes from the server's bytes", () => {
  // ServerMessage.chat = 7: sender_id = 1 "fac", epoch = 2 (5), ciphertext = 5 (two bytes).
  const bytes = Uint8Array.from(Buffer.from("3a0b" + "0a03666163" + "1005" + "2a02abcd", "hex"));
  const message = fromBinary(ServerMessageSchema, bytes);
  assert.equal(message.body.case, "chat");
  if (message.body.case !== "chat") return;
  assert.equal(message.body.value.senderId, "fac");
  assert.equal(message.body.value.epoch, 5n);
  assert.equal(hex(message.body.value.ciphertext), "abcd");
});

test("enums keep the numbers the server sends", () => {
  assert.equal(ErrorCode.OK, 0);
  assert.equal(ErrorCode.PHASE_FORBIDS, 3);
  assert.equal(ErrorCode.STALE_EPOCH, 14);
  assert.equal(SpeakingRule.ALL_BUT_PRESENTER, 4);
});
