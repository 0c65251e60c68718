// The pairwise channel of two members: the lower exchange key plays
// "client", so both sides agree on who is who without talking.
import { compareBytes } from "./bytes.js";
import { PUBLIC_KEY_BYTES } from "./constants.js";
import { E2eeError } from "./errors.js";
import type { KeyPair } from "./keys.js";
import { sodium } from "./sodium.js";

export interface PairKeys {
  rx: Uint8Array;
  tx: Uint8Array;
}

export function pairKeys(mine: KeyPair, peerExchangePk: Uint8Array): PairKeys {
  if (mine.publicKey.length !== PUBLIC_KEY_BYTES || peerExchangePk.length !== PUBLIC_KEY_BYTES) {
    throw new E2eeError("bad_key");
  }
  const order = compareBytes(mine.publicKey, peerExchangePk);
  // Equal keys leave no one to play "client": both would derive swapped keys.
  if (order === 0) throw new E2eeError("bad_key");
  try {
    const keys =
      order < 0
        ? sodium.crypto_kx_client_session_keys(mine.publicKey, mine.secretKey, peerExchangePk)
        : sodium.crypto_kx_server_session_keys(mine.publicKey, mine.secretKey, peerExchangePk);
    return { rx: keys.sharedRx, tx: keys.sharedTx };
  } catch {
    // crypto_kx refuses low-order points (e.g. the all-zero key).
    throw new E2eeError("bad_key");
  }
}
