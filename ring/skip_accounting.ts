/**
 * How many low-level completions a ring still expects once IOSQE_CQE_SKIP_SUCCESS is in use.
 *
 * An op flagged CQE_SKIP_SUCCESS posts a completion only when it fails, so the ring does not count it; but its
 * failure's completion must then not be taken for a counted op's. And the kernel has one more rule for soft
 * links (`req_set_fail()` and `io_fail_links()` in io_uring/io_uring.c, checked by liburing's test/skip-cqe.c):
 * when a skip-flagged op of an IOSQE_IO_LINK chain fails, the ops after it are cancelled without any completion,
 * counted or not, except a LINK_TIMEOUT right after it, which posts by its own flag. When a counted op fails, the
 * ops after it all post (-ECANCELED), skip-flagged ones included.
 *
 * The ring only pays for this once a skip-flagged op was prepared: from then on every low-level op is
 * counted by its user data, so that a completion can be told apart.
 *
 * @module
 */
import { IOSQE_CQE_SKIP_SUCCESS, IOSQE_IO_HARDLINK, IOSQE_IO_LINK } from "../kernel/constants.ts";

/** One low-level op of a chain that holds a skip-flagged op followed by a counted op. */
interface ChainEntry {
  userData: number;
  skip: boolean;
  /** IOSQE_IO_LINK without IOSQE_IO_HARDLINK: its failure cancels the rest of the chain. */
  soft: boolean;
  linkTimeout: boolean;
  done: boolean;
}

/** A chain's ops in order; `failed` once an op of it failed, after which every op left posts. */
interface Chain {
  entries: ChainEntry[];
  failed: boolean;
}

/** Skip-flagged ops remembered by user data at most: one that succeeded posts nothing and is never forgotten otherwise. */
const MAX_SKIPPED = 4096;

/**
 * The user data of low-level ops in flight, counted and skip-flagged, and the chains where a skip-flagged op's
 * failure takes later completions away. Answers, for each last completion, how many counted ops it ends.
 */
export class SkipAccounting {
  /** Counted ops in flight, by user data. */
  readonly #counted = new Map<number, number>();
  /** Skip-flagged ops that may still fail, by user data (oldest first). */
  readonly #skipped = new Map<number, number>();
  /** Counted ops prepared before this accounting began: their user data is unknown. */
  #untracked: number;
  /** The chain being prepared (its last SQE so far carried a link flag). */
  #open: ChainEntry[] = [];
  /** Chains whose completions depend on a skip-flagged op, by the user data of each of their ops. */
  readonly #chains = new Map<number, Chain[]>();

  /** @param untracked Counted low-level ops already in flight. */
  constructor(untracked: number) {
    this.#untracked = untracked;
  }

  /** Records a low-level SQE as queued, with its `IOSQE_*` flags and whether it is a LINK_TIMEOUT. */
  prepared(userData: number, sqeFlags: number, linkTimeout: boolean): void {
    const skip = (sqeFlags & IOSQE_CQE_SKIP_SUCCESS) !== 0;
    if (skip) {
      this.#skipped.delete(userData); // re-inserted last, so the oldest is evicted first
      this.#skipped.set(userData, (this.#skipped.get(userData) ?? 0) + 1);
      if (this.#skipped.size > MAX_SKIPPED) this.#skipped.delete(this.#skipped.keys().next().value!);
    } else {
      this.#counted.set(userData, (this.#counted.get(userData) ?? 0) + 1);
    }
    const linked = (sqeFlags & (IOSQE_IO_LINK | IOSQE_IO_HARDLINK)) !== 0;
    if (!linked && this.#open.length === 0) return;
    const soft = (sqeFlags & IOSQE_IO_LINK) !== 0 && (sqeFlags & IOSQE_IO_HARDLINK) === 0;
    this.#open.push({ userData, skip, soft, linkTimeout, done: false });
    if (!linked) this.#closeChain();
  }

  /** A submission, or an SQE of the ring's own (a promise op), ends the chain being prepared: the kernel ends a chain at the end of a submission, and links a promise op to it, which the count does not follow. */
  endChain(): void {
    if (this.#open.length > 0) this.#closeChain();
  }

  #closeChain(): void {
    const entries = this.#open;
    this.#open = [];
    const firstSkip = entries.findIndex((entry) => entry.skip && entry.soft);
    if (firstSkip < 0 || !entries.slice(firstSkip + 1).some((entry) => !entry.skip)) return;
    const chain: Chain = { entries, failed: false };
    for (const userData of new Set(entries.map((e) => e.userData))) {
      const list = this.#chains.get(userData);
      if (list === undefined) this.#chains.set(userData, [chain]);
      else list.push(chain);
    }
  }

  /**
   * The last completion of an op with `userData` arrived with `res`: returns how many counted ops in flight it
   * ends (1 for a counted op's; for a skip-flagged op's failure, the counted ops after it in its chain, which
   * will post nothing).
   */
  completed(userData: number, res: number): number {
    // A user data shared by a counted and a skip-flagged op is taken for the counted op's: the count then
    // errs low for a while, never into a wait that no completion ends.
    if ((this.#counted.get(userData) ?? 0) > 0) {
      this.#forgetCounted(userData);
      this.#settleInChain(userData, false, res);
      return 1;
    }
    // A skip-flagged op posts only when it fails.
    if (res < 0 && (this.#skipped.get(userData) ?? 0) > 0) {
      this.#forgetSkipped(userData);
      return this.#settleInChain(userData, true, res);
    }
    if (this.#untracked > 0) {
      this.#untracked--;
      return 1;
    }
    return 0;
  }

  /** Marks the op done in its chain; a skip-flagged op's failure in a soft link cancels the rest silently. */
  #settleInChain(userData: number, skip: boolean, res: number): number {
    const chains = this.#chains.get(userData);
    if (chains === undefined) return 0;
    for (const chain of chains) {
      const entries = chain.entries;
      const at = entries.findIndex((entry) =>
        !entry.done && entry.userData === userData && entry.skip === skip
      );
      if (at < 0) continue;
      // Every op before this one has completed: a chain runs in order.
      for (let i = 0; i <= at; i++) entries[i].done = true;
      let ended = 0;
      if (res < 0 && entries[at].soft && !chain.failed && skip) {
        for (let i = at + 1; i < entries.length; i++) {
          const entry = entries[i];
          if (entry.done || (entry.linkTimeout && i === at + 1)) continue;
          entry.done = true;
          if (!entry.skip) {
            ended++;
            this.#forgetCounted(entry.userData);
          } else {
            this.#forgetSkipped(entry.userData);
          }
        }
      }
      if (res < 0 && entries[at].soft) chain.failed = true;
      if (!entries.some((entry) => !entry.done && !entry.skip)) this.#dropChain(chain);
      return ended;
    }
    return 0;
  }

  /** An SQE that never reached the kernel (the batch was refused) leaves the count: no chain rule applies. */
  withdrawn(userData: number, sqeFlags: number): number {
    if ((sqeFlags & IOSQE_CQE_SKIP_SUCCESS) !== 0) {
      this.#forgetSkipped(userData);
      return 0;
    }
    if ((this.#counted.get(userData) ?? 0) > 0) {
      this.#forgetCounted(userData);
      return 1;
    }
    if (this.#untracked > 0) {
      this.#untracked--;
      return 1;
    }
    return 0;
  }

  #forgetCounted(userData: number): void {
    const left = (this.#counted.get(userData) ?? 0) - 1;
    if (left > 0) this.#counted.set(userData, left);
    else this.#counted.delete(userData);
  }

  #forgetSkipped(userData: number): void {
    const left = (this.#skipped.get(userData) ?? 0) - 1;
    if (left > 0) this.#skipped.set(userData, left);
    else this.#skipped.delete(userData);
  }

  #dropChain(chain: Chain): void {
    for (const entry of chain.entries) {
      const list = this.#chains.get(entry.userData);
      if (list === undefined) continue;
      const i = list.indexOf(chain);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.#chains.delete(entry.userData);
    }
  }
}
