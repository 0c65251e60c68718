// The client's end-to-end encryption for one connection: a keyring made at
// Welcome, fed with every state, sender key, chat message and media frame
// the server relays, and asked to seal what the application sends. It turns
// wire messages into keyring calls and keyring answers into wire messages
// and notices, and tracks whether this epoch's keys are all in place.
// The same glue as the C++ SDK's e2ee_session.cpp.
import { create } from "@bufbuild/protobuf";

import { E2eeError } from "../e2ee/errors.js";
import { Keyring, type RosterKeys } from "../e2ee/keyring.js";
import { newIdentity } from "../e2ee/keys.js";
import { type FrameFlags, NO_FLAGS } from "../e2ee/media.js";
import {
  type ChatMessage as WireChat,
  type ChatUpload,
  ChatUploadSchema,
  type Command,
  CommandSchema,
  ConnectionStatus,
  type MediaFrame,
  type SenderKey,
  type SenderKeysUpload,
  SenderKeysUploadSchema,
  type SessionState,
} from "../gen/balint/v1/balint_pb.js";

/** A chat message that opened, checked against its sender's signature. */
export interface ChatMessage {
  senderId: string;
  /** This member for a direct message; empty when sent to the whole session. */
  recipientId: string;
  text: string;
  epoch: bigint;
}

/** What the end-to-end encryption reports to the application. */
export interface SecurityNotice {
  /**
   * code_changed: the membership changed, people should compare the new code;
   * rejected: a chat message or sender key did not open (detail says why);
   * invalid_announcement: a member's keys do not verify, they are left out.
   */
  kind: "code_changed" | "rejected" | "invalid_announcement";
  participantId: string; // Whom it concerns; empty for code_changed.
  detail: string; // For people.
  securityCode: string; // The code as it stands now.
}

export interface StateChange {
  upload?: SenderKeysUpload; // My fresh sender secret, to send now.
  notices: SecurityNotice[];
}

export class E2eeSession {
  private readonly keyring: Keyring;
  // For the current epoch: the valid members besides me, whose keys I hold,
  // and whether the server took mine.
  private peers = new Set<string>();
  private keysFrom = new Set<string>();
  private uploadAccepted = false;
  private dropped = 0;

  constructor(sessionId: string, private readonly myId: string) {
    this.keyring = new Keyring(sessionId, myId, newIdentity());
  }

  /** The AnnounceKeys command, signed over the name the roster shows; null while the roster does not list me. */
  announcement(state: SessionState): Command | null {
    const me = state.roster.find((m) => m.participantId === this.myId);
    if (me === undefined) return null;
    const mine = this.keyring.announce(me.displayName);
    if (mine.signature.length === 0) return null; // Wiped.
    return create(CommandSchema, { kind: { case: "announceKeys", value: { keys: mine } } });
  }

  onState(state: SessionState, nowMs: number): StateChange {
    const members: RosterKeys[] = [];
    for (const m of state.roster)
      if (m.keys !== undefined && m.connection === ConnectionStatus.CONNECTED)
        members.push({ participantId: m.participantId, displayName: m.displayName, announcement: m.keys });

    const out: StateChange = { notices: [] };
    const before = this.keyring.epoch;
    const change = this.keyring.setMembership(state.keyEpoch, members, nowMs);
    if (this.keyring.epoch !== before) {
      this.keysFrom = new Set();
      this.uploadAccepted = false;
      this.peers = new Set(
        members.map((m) => m.participantId).filter((id) => id !== this.myId && !change.invalid.includes(id)),
      );
    }
    for (const id of change.invalid)
      out.notices.push(this.notice("invalid_announcement", id, `the keys announced for ${id} do not verify; they are left out`));
    if (change.codeChanged)
      out.notices.push(this.notice("code_changed", "", "the membership changed: compare the security code again"));
    if (change.bundle !== undefined) {
      if (change.bundle.keys.length === 0) this.uploadAccepted = true; // Nobody else to hand a key to.
      else out.upload = create(SenderKeysUploadSchema, { epoch: change.bundle.epoch, keys: change.bundle.keys });
    }
    return out;
  }

  /** A sender key the server handed over; a notice when it was refused. */
  onSenderKey(key: SenderKey): SecurityNotice | null {
    const result = this.keyring.acceptSenderKey(key.senderId, key.epoch, key.sealed);
    if (result === "ok") {
      if (key.epoch === this.keyring.epoch) this.keysFrom.add(key.senderId);
      return null;
    }
    return this.notice("rejected", key.senderId, `a sender key from ${key.senderId} was rejected: ${result}`);
  }

  /** The server accepted my upload for `epoch`: everyone in it has my key. */
  uploadTaken(epoch: bigint): void {
    if (epoch === this.keyring.epoch) this.uploadAccepted = true;
  }

  openChat(message: WireChat): ChatMessage | SecurityNotice {
    try {
      const text = this.keyring.openChat(message.senderId, message);
      return { senderId: message.senderId, recipientId: message.recipientId, text, epoch: message.epoch };
    } catch (error) {
      if (!(error instanceof E2eeError)) throw error;
      return this.notice("rejected", message.senderId, `a chat message from ${message.senderId} was rejected: ${error.code}`);
    }
  }

  /** The frame's plaintext, or null (dropped and counted). */
  openMedia(frame: MediaFrame): Uint8Array | null {
    try {
      return this.keyring.openMedia(frame.senderId, frame.track, frame.payload);
    } catch (error) {
      if (!(error instanceof E2eeError)) throw error;
      this.dropped += 1;
      return null;
    }
  }

  /** Throws E2eeError (no_key, too_long, unknown_sender). */
  sealChat(text: string, recipientId: string): ChatUpload {
    const sealed = this.keyring.sealChat(text, recipientId);
    return create(ChatUploadSchema, { ...sealed, epoch: BigInt(sealed.epoch), counter: BigInt(sealed.counter) });
  }

  /** Null before this member has keys in an epoch. */
  sealMedia(track: number, frame: Uint8Array, flags: FrameFlags = NO_FLAGS): Uint8Array | null {
    try {
      return this.keyring.sealMedia(track, frame, flags);
    } catch (error) {
      if (!(error instanceof E2eeError)) throw error;
      return null;
    }
  }

  /** This epoch's keys are complete: the server took mine and I hold every other valid member's. */
  get ready(): boolean {
    return this.uploadAccepted && [...this.peers].every((id) => this.keysFrom.has(id));
  }

  get epoch(): bigint {
    return this.keyring.epoch;
  }

  get securityCode(): string {
    return this.keyring.securityCode;
  }

  get mediaDropped(): number {
    return this.dropped;
  }

  expire(nowMs: number): void {
    this.keyring.expire(nowMs);
  }

  nextExpiry(): number | null {
    return this.keyring.nextExpiry();
  }

  /** Every secret gone (the session ended, or the connection was given up). */
  wipe(): void {
    this.keyring.wipe();
    this.peers.clear();
    this.keysFrom.clear();
    this.uploadAccepted = false;
  }

  private notice(kind: SecurityNotice["kind"], participantId: string, detail: string): SecurityNotice {
    return { kind, participantId, detail, securityCode: this.keyring.securityCode };
  }
}
