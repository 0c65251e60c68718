// Per-session key pairs of a member, made from 32-byte seeds so tests can
// fix them; production passes random seeds.
import { sodium } from "./sodium.js";
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES } from "./constants.js";

export interface KeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

export interface Identity {
  identity: KeyPair; // Ed25519
  exchange: KeyPair; // X25519
}

export function signKeys(seed: Uint8Array): KeyPair {
  const pair = sodium.crypto_sign_seed_keypair(seed);
  return { publicKey: pair.publicKey, secretKey: pair.privateKey };
}

export function exchangeKeys(seed: Uint8Array): KeyPair {
  const pair = sodium.crypto_kx_seed_keypair(seed);
  return { publicKey: pair.publicKey, secretKey: pair.privateKey };
}

export function identityFromSeeds(signSeed: Uint8Array, exchangeSeed: Uint8Array): Identity {
  return { identity: signKeys(signSeed), exchange: exchangeKeys(exchangeSeed) };
}

export function newIdentity(): Identity {
  return identityFromSeeds(sodium.randombytes_buf(32), sodium.randombytes_buf(32));
}

export function sign(message: Uint8Array, identitySk: Uint8Array): Uint8Array {
  return sodium.crypto_sign_detached(message, identitySk);
}

/** False (never a throw) for wrong lengths, so callers map it to one error. */
export function signatureValid(message: Uint8Array, signature: Uint8Array, identityPk: Uint8Array): boolean {
  if (signature.length !== SIGNATURE_BYTES || identityPk.length !== PUBLIC_KEY_BYTES) return false;
  try {
    return sodium.crypto_sign_verify_detached(signature, message, identityPk);
  } catch {
    return false;
  }
}
