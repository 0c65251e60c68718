// Everything one member's client knows about the keys of one session, driven
// by the SDK: the roster and key epoch go in, bundles to upload come out, and
// chat and media are sealed and opened against it. Pure: the clock comes in
// as `nowMs` (steady milliseconds) and randomness through a RandomSource.
//
// Per epoch the keyring holds my fresh sender secret's chain and media key,
// and for every other valid member their identity key, the pairwise channel,
// the direct chains both ways and, once their sender key arrived, their group
// chain and media key. A finished epoch is kept for the grace (frames in
// flight still open), then wiped by expire().
//
// Failures are thrown as E2eeError with the same codes as the C++ keyring,
// except acceptSenderKey(), which returns its code ("ok" on success).
import { type U64, compareBytes, toU64, utf8 } from "./bytes.js";
import { KEY_BYTES, MAX_CHAT_TEXT_BYTES, NONCE_BYTES } from "./constants.js";
import { type Announcement, makeAnnouncement, verifyAnnouncement } from "./announcement.js";
import { ReceiveChain, SendChain } from "./chain.js";
import { type SealedChat, openChat, sealChat } from "./chat.js";
import { E2eeError, type E2eeErrorCode } from "./errors.js";
import { directChainRoot, groupChainRoot, mediaKey } from "./kdf.js";
import { type Identity, type KeyPair, identityFromSeeds } from "./keys.js";
import {
  type FrameFlags,
  MediaReceiver,
  NO_FLAGS,
  flagsByte,
  readFlags,
  readMediaHeader,
  sealMediaFrame,
} from "./media.js";
import { type PairKeys, pairKeys } from "./pairwise.js";
import { type CodeEntry, securityCode } from "./securityCode.js";
import { openSenderKey, sealSenderKey } from "./senderKey.js";
import { sodium } from "./sodium.js";

export const DEFAULT_GRACE_MS = 5000;
const MAX_TRACK = 0xffffffff; // A track is a u32, as in the C++ SDK.

/** Returns n fresh random bytes. */
export type RandomSource = (n: number) => Uint8Array;

/** The keyring's own keys, given as key pairs or as the two 32-byte seeds. */
export type KeyringIdentity = Identity | { signSeed: Uint8Array; exchangeSeed: Uint8Array };

/** One roster member that has announced keys. */
export interface RosterKeys {
  participantId: string;
  displayName: string;
  announcement: Announcement;
}

export interface SealedSenderKey {
  recipientId: string;
  sealed: Uint8Array; // 72 bytes.
}

/** What SenderKeysUpload carries. */
export interface SenderKeyBundle {
  epoch: bigint;
  keys: SealedSenderKey[]; // Empty when I am the only valid member.
}

export interface MembershipChange {
  /**
   * Set when this is a new epoch and I am a member with a valid
   * announcement: a fresh sender secret sealed to every other valid member.
   */
  bundle?: SenderKeyBundle;
  /**
   * Ids whose announcement did not verify, appeared twice, or (for my own
   * id) carries keys that are not mine; left out of everything.
   */
  invalid: string[];
  codeChanged: boolean;
}

/** Another member with a valid announcement in the epoch. */
interface PeerKeys {
  identityKey: Uint8Array; // Checks their signatures.
  pair: PairKeys;
  directOut: SendChain; // My direct messages to them.
  directIn: ReceiveChain; // Their direct messages to me.
  groupIn: ReceiveChain | null; // Once their sender key arrived.
  mediaIn: MediaReceiver | null; // Likewise.
  // Held only so they can be zeroed: the roots handed to the chains and the receiver.
  secrets: Uint8Array[];
}

interface EpochKeys {
  epoch: bigint;
  member: boolean; // Whether my own announcement is in this epoch.
  // Mine, when I am a member: from this epoch's sender secret.
  groupOut: SendChain | null;
  mediaOut: Uint8Array | null;
  mediaCounter: bigint;
  peers: Map<string, PeerKeys>;
  // When a later epoch began plus the grace; null for the current epoch.
  expiresAt: number | null;
  secrets: Uint8Array[];
}

/** Byte order of the UTF-8 ids, as std::map<std::string> orders them. */
function byId(a: string, b: string): number {
  return compareBytes(utf8(a), utf8(b));
}

function copyPair(pair: KeyPair): KeyPair {
  return { publicKey: pair.publicKey.slice(), secretKey: pair.secretKey.slice() };
}

// The chains keep their current key private; reach it only to zero it.
function zeroChain(chain: SendChain | ReceiveChain | null): void {
  if (chain instanceof SendChain) sodium.memzero(chain["chain"]);
  else if (chain instanceof ReceiveChain) sodium.memzero(chain["chain"]);
}

function zeroEpoch(keys: EpochKeys): void {
  zeroChain(keys.groupOut);
  for (const secret of keys.secrets) sodium.memzero(secret);
  for (const peer of keys.peers.values()) {
    zeroChain(peer.directOut);
    zeroChain(peer.directIn);
    zeroChain(peer.groupIn);
    sodium.memzero(peer.pair.rx);
    sodium.memzero(peer.pair.tx);
    for (const secret of peer.secrets) sodium.memzero(secret);
  }
  keys.peers.clear();
  keys.groupOut = null;
  keys.mediaOut = null;
}

function errorCode(error: unknown): E2eeErrorCode {
  if (error instanceof E2eeError) return error.code;
  throw error;
}

export class Keyring {
  private readonly sessionId: string;
  private readonly myId: string;
  private readonly identity: Identity;
  private readonly random: RandomSource;
  private readonly graceMs: number;
  private current: bigint | null = null;
  private readonly epochs = new Map<bigint, EpochKeys>();
  private code = "";
  private wiped = false;

  /** A negative grace counts as 0. The keyring keeps its own copy of the identity's keys. */
  constructor(
    sessionId: string,
    myId: string,
    identity: KeyringIdentity,
    random: RandomSource = (n) => sodium.randombytes_buf(n),
    graceMs: number = DEFAULT_GRACE_MS,
  ) {
    this.sessionId = sessionId;
    this.myId = myId;
    this.identity =
      "signSeed" in identity
        ? identityFromSeeds(identity.signSeed, identity.exchangeSeed)
        : { identity: copyPair(identity.identity), exchange: copyPair(identity.exchange) };
    this.random = random;
    this.graceMs = Math.max(graceMs, 0);
  }

  /** My signed keys for the roster; all fields empty once wiped. */
  announce(myDisplayName: string): Announcement {
    if (this.wiped) return { identityKey: new Uint8Array(), exchangeKey: new Uint8Array(), signature: new Uint8Array() };
    return makeAnnouncement(this.identity, this.sessionId, this.myId, myDisplayName);
  }

  /**
   * The roster's members with announcements at key epoch `epoch`. An epoch
   * not above the current one changes nothing (the same epoch means the same
   * keys, so a roster update for another reason is harmless). A new epoch
   * starts the grace of the one before.
   */
  setMembership(epoch: U64, members: readonly RosterKeys[], nowMs: number): MembershipChange {
    const change: MembershipChange = { invalid: [], codeChanged: false };
    const at = toU64(epoch);
    if (this.wiped || (this.current !== null && at <= this.current)) return change;

    const { keys, invalid, codeEntries } = this.buildEpoch(at, members);
    change.invalid = invalid;
    if (keys.member) change.bundle = this.startSending(keys);

    if (this.current !== null) this.epochs.get(this.current)!.expiresAt = nowMs + this.graceMs;
    this.epochs.set(at, keys);
    this.current = at;

    const code = codeEntries.length === 0 ? "" : securityCode(this.sessionId, codeEntries);
    change.codeChanged = code !== this.code;
    this.code = code;

    this.expire(nowMs);
    return change;
  }

  /**
   * A sender key handed to me: for the current epoch, or a past one still
   * within its grace. no_key (an epoch not known yet, or wiped), stale_epoch,
   * unknown_sender, malformed, tampered; replay if that sender already gave
   * a key for that epoch (the first one stays).
   */
  acceptSenderKey(senderId: string, epoch: U64, sealed: Uint8Array): E2eeErrorCode | "ok" {
    let keys: EpochKeys;
    try {
      keys = this.held(toU64(epoch));
    } catch (error) {
      return errorCode(error);
    }
    const peer = keys.peers.get(senderId);
    if (peer === undefined) return "unknown_sender";
    // A second key would restart the sender's chain and let old messages in again.
    if (peer.groupIn !== null) return "replay";
    let secret: Uint8Array;
    try {
      secret = openSenderKey(sealed, peer.pair.rx, {
        sessionId: this.sessionId,
        epoch: keys.epoch,
        senderId,
        recipientId: this.myId,
      });
    } catch (error) {
      return errorCode(error);
    }
    const root = groupChainRoot(secret);
    const media = mediaKey(secret);
    sodium.memzero(secret);
    peer.groupIn = new ReceiveChain(root);
    peer.mediaIn = new MediaReceiver(media);
    peer.secrets.push(root, media);
    return "ok";
  }

  /**
   * To the whole session (recipient "") or one member, in the current epoch.
   * no_key before any epoch in which I am a member, too_long past 4000 bytes,
   * unknown_sender for a recipient without a valid announcement (or me).
   */
  sealChat(text: string, recipientId = ""): SealedChat {
    const keys = this.currentKeys();
    if (!keys.member || keys.groupOut === null) throw new E2eeError("no_key");
    if (utf8(text).length > MAX_CHAT_TEXT_BYTES) throw new E2eeError("too_long");
    let chain = keys.groupOut;
    if (recipientId !== "") {
      const peer = keys.peers.get(recipientId);
      if (peer === undefined) throw new E2eeError("unknown_sender");
      chain = peer.directOut;
    }
    const step = chain.advance();
    try {
      return sealChat(
        text,
        { sessionId: this.sessionId, epoch: keys.epoch, senderId: this.myId, recipientId, counter: step.counter },
        step.keys,
        this.identity.identity.secretKey,
      );
    } finally {
      sodium.memzero(step.keys.messageKey);
    }
  }

  /**
   * See openChat in chat.ts; unknown_sender for a sender who is not a valid
   * member of the chat's epoch, stale_epoch for an epoch that is gone.
   */
  openChat(senderId: string, chat: SealedChat): string {
    const epoch = toU64(chat.epoch);
    const keys = this.held(epoch);
    // I hold no receiving chain of my own (an echo of my message).
    if (senderId === this.myId) throw new E2eeError("no_key");
    const from = keys.peers.get(senderId);
    if (from === undefined) throw new E2eeError("unknown_sender");
    return openChat(chat, {
      sessionId: this.sessionId,
      receiverId: this.myId,
      senderId,
      senderIdentityPk: from.identityKey,
      epoch,
      group: from.groupIn,
      direct: from.directIn,
    });
  }

  /** The payload of a MediaUpload; no_key as for chat, malformed for flags the track never has. */
  sealMedia(track: number, frame: Uint8Array, flags: FrameFlags = NO_FLAGS): Uint8Array {
    checkTrack(track);
    if (readFlags(flagsByte(flags), track) === null) throw new E2eeError("malformed");
    const keys = this.currentKeys();
    if (!keys.member || keys.mediaOut === null) throw new E2eeError("no_key");
    const counter = keys.mediaCounter;
    keys.mediaCounter += 1n;
    return sealMediaFrame(
      frame,
      { sessionId: this.sessionId, epoch: keys.epoch, senderId: this.myId, track, counter, flags },
      keys.mediaOut,
    );
  }

  /** The frame of a MediaFrame (its flags are in readMediaHeader). */
  openMedia(senderId: string, track: number, payload: Uint8Array): Uint8Array {
    checkTrack(track);
    if (this.wiped || this.current === null) throw new E2eeError("no_key");
    const header = readMediaHeader(payload, track);
    if (header === null) throw new E2eeError("malformed");
    const keys = this.held(header.epoch);
    if (senderId === this.myId) throw new E2eeError("no_key");
    const peer = keys.peers.get(senderId);
    if (peer === undefined) throw new E2eeError("unknown_sender");
    if (peer.mediaIn === null) throw new E2eeError("no_key");
    return peer.mediaIn.open(payload, this.sessionId, header.epoch, senderId, track);
  }

  /** Wipes the keys of past epochs whose grace has run out by `nowMs`. */
  expire(nowMs: number): void {
    for (const [epoch, keys] of this.epochs) {
      if (epoch !== this.current && keys.expiresAt !== null && keys.expiresAt <= nowMs) {
        zeroEpoch(keys);
        this.epochs.delete(epoch);
      }
    }
  }

  /** When expire() next has work; null if never. */
  nextExpiry(): number | null {
    let next: number | null = null;
    for (const [epoch, keys] of this.epochs) {
      if (epoch === this.current || keys.expiresAt === null) continue;
      if (next === null || keys.expiresAt < next) next = keys.expiresAt;
    }
    return next;
  }

  /** Of the current epoch's valid members; "" until there is one. */
  get securityCode(): string {
    return this.code;
  }

  /** The current epoch; 0 before the first setMembership. */
  get epoch(): bigint {
    return this.current ?? 0n;
  }

  /** Every secret gone; afterwards everything is refused with no_key. */
  wipe(): void {
    for (const keys of this.epochs.values()) zeroEpoch(keys);
    this.epochs.clear();
    sodium.memzero(this.identity.identity.secretKey);
    sodium.memzero(this.identity.exchange.secretKey);
    this.current = null;
    this.code = "";
    this.wiped = true;
  }

  // The keys of `epoch`, or why there are none.
  private held(epoch: bigint): EpochKeys {
    if (this.wiped || this.current === null) throw new E2eeError("no_key");
    const keys = this.epochs.get(epoch);
    if (keys !== undefined) return keys;
    // Below the current epoch: over (or from before I joined); above it: the
    // roster that starts it has not come yet.
    throw new E2eeError(epoch < this.current ? "stale_epoch" : "no_key");
  }

  private currentKeys(): EpochKeys {
    if (this.wiped || this.current === null) throw new E2eeError("no_key");
    return this.epochs.get(this.current)!;
  }

  // Verifies every announcement and opens a pairwise channel with every valid
  // peer. No sender secret yet: see startSending.
  private buildEpoch(
    epoch: bigint,
    members: readonly RosterKeys[],
  ): { keys: EpochKeys; invalid: string[]; codeEntries: CodeEntry[] } {
    const keys: EpochKeys = {
      epoch,
      member: false,
      groupOut: null,
      mediaOut: null,
      mediaCounter: 0n,
      peers: new Map(),
      expiresAt: null,
      secrets: [],
    };
    const invalid: string[] = [];
    const codeEntries: CodeEntry[] = [];
    // Ids that appear more than once: which entry to believe cannot be told, so none is.
    const seen = new Set<string>();
    const repeated = new Set<string>();
    for (const m of members) (seen.has(m.participantId) ? repeated : seen).add(m.participantId);
    const peers: [string, PeerKeys][] = [];

    for (const member of members) {
      const id = member.participantId;
      const announcement = member.announcement;
      if (repeated.has(id) || !verifyAnnouncement(announcement, this.sessionId, id, member.displayName)) {
        if (!invalid.includes(id)) invalid.push(id);
        continue;
      }
      if (id === this.myId) {
        // A valid signature over keys that are not mine is someone else's
        // claim to my id: not me, and not to be trusted either.
        if (
          compareBytes(announcement.identityKey, this.identity.identity.publicKey) !== 0 ||
          compareBytes(announcement.exchangeKey, this.identity.exchange.publicKey) !== 0
        ) {
          invalid.push(id);
          continue;
        }
        keys.member = true;
      } else {
        let pair: PairKeys;
        try {
          pair = pairKeys(this.identity.exchange, announcement.exchangeKey);
        } catch (error) {
          errorCode(error);
          invalid.push(id);
          continue;
        }
        const outRoot = directChainRoot(pair.tx, epoch);
        const inRoot = directChainRoot(pair.rx, epoch);
        peers.push([
          id,
          {
            identityKey: announcement.identityKey.slice(),
            pair,
            directOut: new SendChain(outRoot),
            directIn: new ReceiveChain(inRoot),
            groupIn: null,
            mediaIn: null,
            secrets: [outRoot, inRoot],
          },
        ]);
      }
      codeEntries.push({
        participantId: id,
        identityKey: announcement.identityKey,
        exchangeKey: announcement.exchangeKey,
      });
    }
    peers.sort((a, b) => byId(a[0], b[0]));
    for (const [id, peer] of peers) keys.peers.set(id, peer);
    return { keys, invalid, codeEntries };
  }

  // Makes my fresh sender secret of the epoch, keeps its chain and media key,
  // and seals it to every peer. The secret itself is wiped on return.
  private startSending(keys: EpochKeys): SenderKeyBundle {
    const senderSecret = this.randomBytes(KEY_BYTES);
    try {
      const root = groupChainRoot(senderSecret);
      keys.groupOut = new SendChain(root);
      keys.mediaOut = mediaKey(senderSecret);
      keys.mediaCounter = 0n;
      keys.secrets.push(root, keys.mediaOut);
      const bundle: SenderKeyBundle = { epoch: keys.epoch, keys: [] };
      for (const [peerId, peer] of keys.peers) {
        const context = { sessionId: this.sessionId, epoch: keys.epoch, senderId: this.myId, recipientId: peerId };
        const sealed = sealSenderKey(senderSecret, peer.pair.tx, context, this.randomBytes(NONCE_BYTES));
        bundle.keys.push({ recipientId: peerId, sealed });
      }
      return bundle;
    } finally {
      sodium.memzero(senderSecret);
    }
  }

  private randomBytes(n: number): Uint8Array {
    const bytes = this.random(n);
    if (!(bytes instanceof Uint8Array) || bytes.length !== n) {
      throw new RangeError(`random source gave ${bytes?.length} bytes, not ${n}`);
    }
    return bytes;
  }
}

function checkTrack(track: number): void {
  if (!Number.isInteger(track) || track < 0 || track > MAX_TRACK) throw new RangeError(`not a u32 track: ${track}`);
}
