// The symmetric ratchet: each message uses a fresh key and nonce, and the
// chain moves forward so old keys cannot be recomputed from the current one.
import { type U64, toU64 } from "./bytes.js";
import { CHAIN_CONTEXT, MAX_COUNTER_JUMP, MESSAGE_KEY_CONTEXT, NONCE_BYTES, NONCE_CONTEXT } from "./constants.js";
import { E2eeError } from "./errors.js";
import { kdf } from "./kdf.js";

export interface MessageKeys {
  messageKey: Uint8Array;
  nonce: Uint8Array;
}

export interface ChainStep {
  counter: bigint;
  keys: MessageKeys;
  next: Uint8Array;
}

export function messageKeys(chain: Uint8Array): MessageKeys {
  return { messageKey: kdf(chain, 1, MESSAGE_KEY_CONTEXT), nonce: kdf(chain, 3, NONCE_CONTEXT, NONCE_BYTES) };
}

export function nextChain(chain: Uint8Array): Uint8Array {
  return kdf(chain, 2, CHAIN_CONTEXT);
}

function stepAt(chain: Uint8Array, counter: bigint): ChainStep {
  return { counter, keys: messageKeys(chain), next: nextChain(chain) };
}

export class SendChain {
  private chain: Uint8Array;
  private nextCounter = 0n;

  constructor(root: Uint8Array) {
    this.chain = root;
  }

  advance(): ChainStep {
    const step = stepAt(this.chain, this.nextCounter);
    this.chain = step.next;
    this.nextCounter += 1n;
    return step;
  }
}

/**
 * stepTo() only computes; commit() moves the chain. That split lets a
 * receiver refuse a message after the counter check without changing state.
 */
export class ReceiveChain {
  private chain: Uint8Array;
  private nextCounter = 0n;

  constructor(root: Uint8Array) {
    this.chain = root;
  }

  get next(): bigint {
    return this.nextCounter;
  }

  stepTo(counter: U64): ChainStep {
    const target = toU64(counter);
    if (target < this.nextCounter) throw new E2eeError("replay");
    if (target - this.nextCounter > MAX_COUNTER_JUMP) throw new E2eeError("counter_jump");
    let chain = this.chain;
    for (let n = this.nextCounter; n < target; n++) chain = nextChain(chain);
    return stepAt(chain, target);
  }

  commit(step: ChainStep): void {
    this.chain = step.next;
    this.nextCounter = step.counter + 1n;
  }
}
