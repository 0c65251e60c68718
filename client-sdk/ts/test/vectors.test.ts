// Holds the SDK to the committed vectors, as the C++ vectors_test does:
// every golden output recomputed and compared byte for byte, every
// negative case refused with exactly its named error.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import {
  E2eeError,
  MediaReceiver,
  ReceiveChain,
  type ChatReceiver,
  type KeyPair,
  announceBytes,
  chatAd,
  checkAnnouncement,
  compareBytes,
  directChainRoot,
  exchangeKeys,
  groupChainRoot,
  identityFromSeeds,
  makeAnnouncement,
  mediaAd,
  mediaKey,
  mediaNonce,
  messageKeys,
  nextChain,
  openChat,
  openSenderKey,
  padText,
  pairKeys,
  ready,
  sealChat,
  readMediaHeader,
  sealMediaFrame,
  sealSenderKey,
  securityCode,
  securityCodeDigest,
  senderKeyAd,
  signKeys,
  sortCodeEntries,
  verifyAnnouncement,
} from "../src/index.js";

await ready();

// Hex helpers, for the vectors only; the library works on Uint8Array.
export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(hex)) throw new Error(`not hex: ${hex}`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const dir = new URL("../../../../tests/e2ee/vectors/", import.meta.url);
const load = (file: string): Json => JSON.parse(readFileSync(new URL(file, dir), "utf8"));
const golden = load("golden.json");
const negative = load("negative.json");

const b = (hex: string): Uint8Array => fromHex(hex);

function cases(file: Json, kind: string): Json[] {
  const all = file[kind] as Json[];
  assert.ok(Array.isArray(all) && all.length > 0, `no ${kind} cases`);
  return all;
}

function assertError(fn: () => unknown, code: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof E2eeError, `not an E2eeError: ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  });
}

function pairFrom(mySeed: Uint8Array, peerPk: Uint8Array) {
  return pairKeys(exchangeKeys(mySeed), peerPk);
}

for (const file of [golden, negative]) {
  test(`vector file ${file === golden ? "golden" : "negative"}: spec and version`, () => {
    assert.equal(file.spec, "client-sdk/E2EE.md");
    assert.equal(file.version, 1);
  });
}

for (const v of cases(golden, "announcement")) {
  test(`golden announcement: ${v.name}`, () => {
    const i = v.inputs, e = v.expected;
    const identity = identityFromSeeds(b(i.sign_seed), b(i.exchange_seed));
    assert.equal(toHex(identity.identity.publicKey), e.identity_pk);
    assert.equal(toHex(identity.exchange.publicKey), e.exchange_pk);
    const bytes = announceBytes(i.session_id, i.participant_id, i.display_name, identity.identity.publicKey,
      identity.exchange.publicKey);
    assert.equal(toHex(bytes), e.announce_bytes);
    const announcement = makeAnnouncement(identity, i.session_id, i.participant_id, i.display_name);
    assert.equal(toHex(announcement.signature), e.signature);
    assert.ok(verifyAnnouncement(announcement, i.session_id, i.participant_id, i.display_name));
  });
}

for (const v of cases(golden, "pairwise")) {
  test(`golden pairwise: ${v.name}`, () => {
    const i = v.inputs, e = v.expected;
    const a = exchangeKeys(b(i.a_exchange_seed));
    const bk = exchangeKeys(b(i.b_exchange_seed));
    assert.equal(toHex(a.publicKey), e.a_exchange_pk);
    assert.equal(toHex(bk.publicKey), e.b_exchange_pk);
    assert.equal(compareBytes(a.publicKey, bk.publicKey) < 0 ? "a" : "b", e.client);
    const ab = pairKeys(a, bk.publicKey);
    const ba = pairKeys(bk, a.publicKey);
    assert.equal(toHex(ab.rx), e.a_rx);
    assert.equal(toHex(ab.tx), e.a_tx);
    assert.equal(toHex(ba.rx), e.b_rx);
    assert.equal(toHex(ba.tx), e.b_tx);
    assert.equal(e.a_tx, e.b_rx);
  });
}

for (const v of cases(golden, "sender_key")) {
  test(`golden sender key: ${v.name}`, () => {
    const i = v.inputs, e = v.expected;
    const context = { sessionId: i.session_id, epoch: i.epoch, senderId: i.sender_id, recipientId: i.recipient_id };
    const sender = exchangeKeys(b(i.sender_exchange_seed));
    const recipient = exchangeKeys(b(i.recipient_exchange_seed));
    assert.equal(toHex(sender.publicKey), e.sender_exchange_pk);
    assert.equal(toHex(recipient.publicKey), e.recipient_exchange_pk);
    const pair = pairKeys(sender, recipient.publicKey);
    assert.equal(toHex(pair.tx), e.sender_tx);
    assert.equal(toHex(senderKeyAd(context)), e.ad);
    const secret = b(i.sender_secret);
    assert.equal(toHex(sealSenderKey(secret, pair.tx, context, b(i.nonce))), e.sealed);
    const back = pairKeys(recipient, sender.publicKey);
    assert.equal(toHex(openSenderKey(b(e.sealed), back.rx, context)), i.sender_secret);
    assert.equal(toHex(groupChainRoot(secret)), e.group_chain_0);
    assert.equal(toHex(mediaKey(secret)), e.media_key);
  });
}

for (const v of cases(golden, "chat")) {
  const kind = v.inputs.recipient_id === "" ? "group" : "direct";
  test(`golden chat (${kind}): ${v.name}`, () => {
    const i = v.inputs, e = v.expected;
    const signer = signKeys(b(i.sender_sign_seed));
    assert.equal(toHex(signer.publicKey), e.sender_identity_pk);
    let chain: Uint8Array;
    if (kind === "group") {
      chain = groupChainRoot(b(i.sender_secret));
    } else {
      const recipient: KeyPair = exchangeKeys(b(i.recipient_exchange_seed));
      const senderExchange: KeyPair = exchangeKeys(b(i.sender_exchange_seed));
      const senderPair = pairKeys(senderExchange, recipient.publicKey);
      const recipientPair = pairKeys(recipient, senderExchange.publicKey);
      assert.equal(toHex(senderPair.tx), e.sender_tx);
      chain = directChainRoot(senderPair.tx, i.epoch);
      assert.deepEqual(directChainRoot(recipientPair.rx, i.epoch), chain);
    }
    assert.equal(toHex(chain), e.chain_0);

    const messages = i.messages as Json[];
    const steps = e.steps as Json[];
    assert.equal(messages.length, steps.length);
    messages.forEach((message, n) => {
      const step = steps[n];
      assert.equal(message.counter, n);
      assert.equal(step.counter, n);
      assert.equal(toHex(chain), step.chain, `chain ${n}`);
      const keys = messageKeys(chain);
      assert.equal(toHex(keys.messageKey), step.message_key, `message_key ${n}`);
      assert.equal(toHex(keys.nonce), step.nonce, `nonce ${n}`);
      const context = { sessionId: i.session_id, epoch: i.epoch, senderId: i.sender_id, recipientId: i.recipient_id,
        counter: n };
      assert.equal(toHex(chatAd(context)), step.ad, `ad ${n}`);
      assert.equal(toHex(padText(message.text)), step.padded, `padded ${n}`);
      const sealed = sealChat(message.text, context, keys, signer.secretKey);
      assert.equal(toHex(sealed.ciphertext), step.ciphertext, `ciphertext ${n}`);
      assert.equal(toHex(sealed.signature), step.signature, `signature ${n}`);
      chain = nextChain(chain);
    });
  });
}

for (const v of cases(golden, "media")) {
  test(`golden media: ${v.name}`, () => {
    const i = v.inputs, e = v.expected;
    const key = mediaKey(b(i.sender_secret));
    assert.equal(toHex(key), e.media_key);
    const frames = i.frames as Json[];
    const outputs = e.frames as Json[];
    assert.equal(frames.length, outputs.length);
    const receiver = new MediaReceiver(key);
    frames.forEach((frame, n) => {
      const out = outputs[n];
      const flags = { keyFrame: frame.key_frame as boolean, temporalLayer: frame.temporal_layer as number };
      const context = { sessionId: i.session_id, epoch: i.epoch, senderId: i.sender_id, track: frame.track,
        counter: frame.counter, flags };
      assert.equal(toHex(mediaAd(context)), out.ad, `ad ${n}`);
      assert.equal(toHex(mediaNonce(frame.counter)), out.nonce, `nonce ${n}`);
      assert.equal(toHex(sealMediaFrame(b(frame.frame), context, key)), out.payload, `payload ${n}`);
      const opened = receiver.open(b(out.payload), i.session_id, i.epoch, i.sender_id, frame.track);
      assert.equal(toHex(opened), frame.frame, `opened ${n}`);
      assert.deepEqual(readMediaHeader(b(out.payload), frame.track)?.flags, flags, `flags ${n}`);
    });
  });
}

for (const v of cases(golden, "security_code")) {
  test(`golden security code: ${v.name}`, () => {
    const i = v.inputs, e = v.expected;
    const entries = (i.members as Json[]).map((m) => ({
      participantId: m.participant_id as string,
      identityKey: b(m.identity_pk),
      exchangeKey: b(m.exchange_pk),
    }));
    if (e.sorted_ids !== undefined) {
      assert.deepEqual(sortCodeEntries(entries).map((x) => x.participantId), e.sorted_ids);
    }
    assert.equal(toHex(securityCodeDigest(i.session_id, entries)), e.digest);
    assert.equal(securityCode(i.session_id, entries), e.code);
  });
}

for (const v of cases(negative, "announcement")) {
  test(`negative announcement: ${v.name}`, () => {
    const i = v.inputs;
    const announcement = { identityKey: b(i.identity_pk), exchangeKey: b(i.exchange_pk), signature: b(i.signature) };
    assertError(() => checkAnnouncement(announcement, i.session_id, i.participant_id, i.display_name),
      v.expected_error);
    assert.equal(verifyAnnouncement(announcement, i.session_id, i.participant_id, i.display_name), false);
  });
}

for (const v of cases(negative, "pairwise")) {
  test(`negative pairwise: ${v.name}`, () => {
    const i = v.inputs;
    assertError(() => pairFrom(b(i.my_exchange_seed), b(i.peer_exchange_pk)), v.expected_error);
  });
}

for (const v of cases(negative, "sender_key")) {
  test(`negative sender key: ${v.name}`, () => {
    const i = v.inputs;
    const pair = pairFrom(b(i.recipient_exchange_seed), b(i.sender_exchange_pk));
    const context = { sessionId: i.session_id, epoch: i.epoch, senderId: i.sender_id, recipientId: i.recipient_id };
    assertError(() => openSenderKey(b(i.sealed), pair.rx, context), v.expected_error);
  });
}

for (const v of cases(negative, "chat")) {
  test(`negative chat: ${v.name}`, () => {
    const i = v.inputs;
    const group = i.sender_secret === null ? null : new ReceiveChain(groupChainRoot(b(i.sender_secret)));
    let direct: ReceiveChain | null = null;
    if (i.direct !== null) {
      const pair = pairFrom(b(i.direct.receiver_exchange_seed), b(i.direct.sender_exchange_pk));
      direct = new ReceiveChain(directChainRoot(pair.rx, i.epoch));
    }
    const receiver: ChatReceiver = {
      sessionId: i.session_id,
      receiverId: i.receiver_id,
      senderId: i.sender_id,
      senderIdentityPk: b(i.sender_identity_pk),
      epoch: i.epoch,
      group,
      direct,
    };
    const messages = i.messages as Json[];
    messages.forEach((m, n) => {
      const chat = { epoch: m.epoch, counter: m.counter, recipientId: m.recipient_id, ciphertext: b(m.ciphertext),
        signature: b(m.signature) };
      if (n + 1 < messages.length) {
        assert.equal(openChat(chat, receiver), m.text, `message ${n}`);
      } else {
        const before = { group: group?.next, direct: direct?.next };
        assertError(() => openChat(chat, receiver), v.expected_error);
        // A refused message changes nothing.
        assert.deepEqual({ group: group?.next, direct: direct?.next }, before);
      }
    });
  });
}

for (const v of cases(negative, "media")) {
  test(`negative media: ${v.name}`, () => {
    const i = v.inputs;
    const receiver = new MediaReceiver(mediaKey(b(i.sender_secret)));
    const frames = i.frames as Json[];
    frames.forEach((f, n) => {
      const open = () => receiver.open(b(f.payload), i.session_id, i.epoch, i.sender_id, f.track);
      if (n + 1 < frames.length) assert.equal(toHex(open()), f.frame, `frame ${n}`);
      else assertError(open, v.expected_error);
    });
  });
}
