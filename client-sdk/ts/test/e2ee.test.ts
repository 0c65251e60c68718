// Round trips and formats with fresh random keys, beyond the fixed vectors.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  CAMERA_TRACK,
  E2eeError,
  MICROPHONE_TRACK,
  MediaReceiver,
  ReceiveChain,
  SendChain,
  type ChatReceiver,
  ByteWriter,
  directChainRoot,
  flagsByte,
  groupChainRoot,
  mediaKey,
  newIdentity,
  openChat,
  openSenderKey,
  pairKeys,
  makeAnnouncement,
  readFlags,
  readMediaHeader,
  verifyAnnouncement,
  ready,
  sealChat,
  sealMediaFrame,
  sealSenderKey,
  securityCode,
  sodium,
  u64Bytes,
} from "../src/index.js";

await ready();

const session = "unit-session";
const epoch = 3n;

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof E2eeError) return error.code;
    throw error;
  }
  return undefined;
}

test("chat round trip, group", () => {
  const alice = newIdentity();
  const secret = sodium.randombytes_buf(32);
  const send = new SendChain(groupChainRoot(secret));
  const receiver: ChatReceiver = {
    sessionId: session,
    receiverId: "bob",
    senderId: "alice",
    senderIdentityPk: alice.identity.publicKey,
    epoch,
    group: new ReceiveChain(groupChainRoot(secret)),
    direct: null,
  };
  const texts = ["hello", "", "héllo wörld ✓", "x".repeat(4000)];
  const sealed = texts.map((text) => {
    const step = send.advance();
    const context = { sessionId: session, epoch, senderId: "alice", recipientId: "", counter: step.counter };
    return sealChat(text, context, step.keys, alice.identity.secretKey);
  });
  sealed.forEach((chat, n) => assert.equal(openChat(chat, receiver), texts[n]));
  assert.equal(code(() => openChat(sealed[0]!, receiver)), "replay");
});

test("chat round trip, direct", () => {
  const alice = newIdentity();
  const bob = newIdentity();
  const alicePair = pairKeys(alice.exchange, bob.exchange.publicKey);
  const bobPair = pairKeys(bob.exchange, alice.exchange.publicKey);
  assert.deepEqual(alicePair.tx, bobPair.rx);
  const send = new SendChain(directChainRoot(alicePair.tx, epoch));
  const receiver: ChatReceiver = {
    sessionId: session,
    receiverId: "bob",
    senderId: "alice",
    senderIdentityPk: alice.identity.publicKey,
    epoch,
    group: null,
    direct: new ReceiveChain(directChainRoot(bobPair.rx, epoch)),
  };
  const step = send.advance();
  const chat = sealChat(
    "just for you",
    { sessionId: session, epoch, senderId: "alice", recipientId: "bob", counter: step.counter },
    step.keys,
    alice.identity.secretKey,
  );
  assert.equal(code(() => openChat(chat, { ...receiver, senderIdentityPk: null })), "unknown_sender");
  assert.equal(code(() => openChat(chat, { ...receiver, receiverId: "carol" })), "wrong_recipient");
  assert.equal(openChat(chat, receiver), "just for you");
});

test("chat text over 4000 bytes is refused when sealing", () => {
  const alice = newIdentity();
  const step = new SendChain(groupChainRoot(sodium.randombytes_buf(32))).advance();
  const context = { sessionId: session, epoch, senderId: "alice", recipientId: "", counter: 0 };
  assert.equal(code(() => sealChat("é".repeat(2001), context, step.keys, alice.identity.secretKey)), "too_long");
});

test("sender key round trip and announcement", () => {
  const alice = newIdentity();
  const bob = newIdentity();
  const announcement = makeAnnouncement(alice, session, "alice", "Alice");
  assert.ok(verifyAnnouncement(announcement, session, "alice", "Alice"));
  assert.ok(!verifyAnnouncement(announcement, session, "alice", "Mallory"));
  const context = { sessionId: session, epoch, senderId: "alice", recipientId: "bob" };
  const secret = sodium.randombytes_buf(32);
  const sealed = sealSenderKey(secret, pairKeys(alice.exchange, bob.exchange.publicKey).tx, context);
  assert.equal(sealed.length, 72);
  assert.deepEqual(openSenderKey(sealed, pairKeys(bob.exchange, alice.exchange.publicKey).rx, context), secret);
});

test("media round trip", () => {
  const key = mediaKey(sodium.randombytes_buf(32));
  const receiver = new MediaReceiver(key);
  const frames = [new Uint8Array([1, 2, 3]), new Uint8Array(0), sodium.randombytes_buf(1200)];
  frames.forEach((frame, counter) => {
    const track = counter % 2;
    const payload = sealMediaFrame(frame, { sessionId: session, epoch, senderId: "bob", track, counter }, key);
    assert.equal(payload.length, 17 + frame.length + 16);
    assert.deepEqual(receiver.open(payload, session, epoch, "bob", track), frame);
  });
});

test("the flags byte: key frame in bit 0, temporal layer in bits 1 and 2", () => {
  assert.equal(flagsByte({ keyFrame: true, temporalLayer: 0 }), 0x01);
  assert.equal(flagsByte({ keyFrame: false, temporalLayer: 2 }), 0x04);
  assert.deepEqual(readFlags(0x02, CAMERA_TRACK), { keyFrame: false, temporalLayer: 1 });
  assert.deepEqual(readFlags(0x00, MICROPHONE_TRACK), { keyFrame: false, temporalLayer: 0 });
  const refused: [number, number][] = [[0x06, 1], [0x03, 1], [0x08, 1], [0x80, 1], [0x01, 0], [0x00, 2]];
  for (const [byte, track] of refused) {
    assert.equal(readFlags(byte, track), null, `flags ${byte} on track ${track}`);
  }
});

test("a camera frame carries its flags in the clear, bound by the AEAD", () => {
  const key = mediaKey(sodium.randombytes_buf(32));
  const receiver = new MediaReceiver(key);
  const flags = { keyFrame: true, temporalLayer: 0 };
  const payload = sealMediaFrame(new Uint8Array([9]), { sessionId: session, epoch, senderId: "bob",
    track: CAMERA_TRACK, counter: 4, flags }, key);
  assert.deepEqual(readMediaHeader(payload, CAMERA_TRACK)?.flags, flags);
  const demoted = payload.slice();
  demoted[16] = 0x00;
  assert.throws(() => receiver.open(demoted, session, epoch, "bob", CAMERA_TRACK), (e: E2eeError) => e.code === "tampered");
  const microphone = sealMediaFrame(new Uint8Array([1]), { sessionId: session, epoch, senderId: "bob",
    track: MICROPHONE_TRACK, counter: 5 }, key);
  assert.deepEqual(receiver.open(microphone, session, epoch, "bob", MICROPHONE_TRACK), new Uint8Array([1]));
  assert.deepEqual(receiver.open(payload, session, epoch, "bob", CAMERA_TRACK), new Uint8Array([9])); // Overtaken.
});

test("security code is 8 groups of 5 digits and ignores input order", () => {
  const members = ["alice", "bob", "carol"].map((participantId) => {
    const id = newIdentity();
    return { participantId, identityKey: id.identity.publicKey, exchangeKey: id.exchange.publicKey };
  });
  const value = securityCode(session, members);
  assert.match(value, /^\d{5}( \d{5}){7}$/);
  assert.equal(securityCode(session, [...members].reverse()), value);
  assert.notEqual(securityCode(session, members.slice(1)), value);
});

test("u64 is big-endian and exact past 2^53", () => {
  assert.deepEqual(u64Bytes(2n ** 64n - 1n), new Uint8Array(8).fill(0xff));
  assert.deepEqual(u64Bytes(2n ** 53n + 1n), new Uint8Array([0, 0x20, 0, 0, 0, 0, 0, 1]));
  assert.throws(() => u64Bytes(2 ** 53));
  assert.throws(() => u64Bytes(-1));
  assert.throws(() => u64Bytes(2n ** 64n));
  const bytes = new ByteWriter().label("L").str("é").u64(1).take();
  assert.deepEqual(bytes, new Uint8Array([0x4c, 0, 0, 0, 2, 0xc3, 0xa9, 0, 0, 0, 0, 0, 0, 0, 1]));
});
