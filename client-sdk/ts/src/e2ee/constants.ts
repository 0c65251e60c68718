// Labels and sizes of E2EE.md; both SDKs must agree on every one of them.
export const ANNOUNCE_LABEL = "balint-room/v1/announce";
export const SENDER_KEY_LABEL = "balint-room/v1/sender-key";
export const CHAT_LABEL = "balint-room/v1/chat";
export const MEDIA_LABEL = "balint-room/v1/media";
export const SECURITY_CODE_LABEL = "balint-room/v1/security-code";

export const GROUP_CONTEXT = "brgroup_";
export const MEDIA_CONTEXT = "brmedia_";
export const DIRECT_CONTEXT = "brdirect";
export const MESSAGE_KEY_CONTEXT = "brmsgkey";
export const NONCE_CONTEXT = "brnonce_";
export const CHAIN_CONTEXT = "brchain_";

export const PUBLIC_KEY_BYTES = 32; // Ed25519 and X25519 alike.
export const KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;
export const NONCE_BYTES = 24; // XChaCha20-Poly1305.
export const TAG_BYTES = 16; // Poly1305.
export const SEALED_SENDER_KEY_BYTES = NONCE_BYTES + KEY_BYTES + TAG_BYTES; // 72.
export const MEDIA_HEADER_BYTES = 17; // u64(epoch) || u64(counter) || u8(flags).

export const PAD_BLOCK = 256;
export const MAX_CHAT_TEXT_BYTES = 4000;
export const MAX_COUNTER_JUMP = 1000n;
