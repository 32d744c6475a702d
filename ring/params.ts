/**
 * Ring options: checked and turned into `struct io_uring_params` before any
 * system call, so a wrong option is a TypeError/RangeError, never a kernel
 * refusal with a vague EINVAL.
 *
 * @module
 */
import {
  IORING_MAX_CQ_ENTRIES,
  IORING_MAX_ENTRIES,
  IORING_SETUP_ATTACH_WQ,
  IORING_SETUP_CLAMP,
  IORING_SETUP_COOP_TASKRUN,
  IORING_SETUP_CQE32,
  IORING_SETUP_CQE_MIXED,
  IORING_SETUP_CQSIZE,
  IORING_SETUP_DEFER_TASKRUN,
  IORING_SETUP_HYBRID_IOPOLL,
  IORING_SETUP_IOPOLL,
  IORING_SETUP_NO_MMAP,
  IORING_SETUP_NO_SQARRAY,
  IORING_SETUP_R_DISABLED,
  IORING_SETUP_REGISTERED_FD_ONLY,
  IORING_SETUP_SINGLE_ISSUER,
  IORING_SETUP_SQ_AFF,
  IORING_SETUP_SQ_REWIND,
  IORING_SETUP_SQE128,
  IORING_SETUP_SQE_MIXED,
  IORING_SETUP_SQPOLL,
  IORING_SETUP_SUBMIT_ALL,
  IORING_SETUP_TASKRUN_FLAG,
} from "../kernel/constants.ts";
import * as constants from "../kernel/constants.ts";
import { PARAMS } from "../kernel/layout.ts";

/** Options of `new IoRing()`: every `IORING_SETUP_*` flag and `io_uring_params` field. */
export interface IoRingOptions {
  /** SQ entries, a power of two up to 32768 (IORING_MAX_ENTRIES); default 256. */
  entries?: number;
  /** CQ entries, a power of two >= entries, up to 65536 (IORING_SETUP_CQSIZE); default 2 × entries. */
  cqEntries?: number;
  /** A kernel thread polls the SQ, so submission needs no system call (IORING_SETUP_SQPOLL, 5.1; unprivileged since 5.11). */
  sqpoll?: boolean;
  /** Milliseconds the SQPOLL thread spins before it sleeps (`sq_thread_idle`); needs `sqpoll`. */
  sqThreadIdle?: number;
  /** The CPU the SQPOLL thread is bound to (IORING_SETUP_SQ_AFF, `sq_thread_cpu`); needs `sqpoll`. */
  sqThreadCpu?: number;
  /** Share the io-wq workers (and SQPOLL thread) of another ring (IORING_SETUP_ATTACH_WQ, 5.6). */
  attachWq?: { readonly fd: number } | number;
  /** Keep submitting a batch after an SQE fails to prepare (IORING_SETUP_SUBMIT_ALL, 5.18). */
  submitAll?: boolean;
  /** Run completion work when the task enters the kernel anyway, without an IPI (IORING_SETUP_COOP_TASKRUN, 5.19). Needs `deferTaskrun` here: see `ring/notifier.ts`. */
  coopTaskrun?: boolean;
  /** Flag pending completion work in the SQ ring flags (IORING_SETUP_TASKRUN_FLAG, 5.19); needs `coopTaskrun` or `deferTaskrun`. */
  taskrunFlag?: boolean;
  /** Only this thread submits (IORING_SETUP_SINGLE_ISSUER, 6.0). */
  singleIssuer?: boolean;
  /** Run completion work only when this thread asks for events (IORING_SETUP_DEFER_TASKRUN, 6.1); needs `singleIssuer`. */
  deferTaskrun?: boolean;
  /** 128-byte SQEs, for URING_CMD (IORING_SETUP_SQE128, 5.19). */
  sqe128?: boolean;
  /** 32-byte CQEs, for URING_CMD (IORING_SETUP_CQE32, 5.19). */
  cqe32?: boolean;
  /** Clamp entries and cqEntries to the kernel's maximums instead of failing (IORING_SETUP_CLAMP, 5.6). */
  clamp?: boolean;
  /** Start disabled, to register restrictions first; `ring.enable()` starts it (IORING_SETUP_R_DISABLED, 5.10). */
  rDisabled?: boolean;
  /** Busy-poll for completions of O_DIRECT I/O on polled block devices (IORING_SETUP_IOPOLL, 5.1). */
  iopoll?: boolean;
  /** Hybrid polling with `iopoll` (IORING_SETUP_HYBRID_IOPOLL, 6.13). */
  hybridIopoll?: boolean;
  /** No SQ index array: SQEs are used in ring order (IORING_SETUP_NO_SQARRAY, 6.6). */
  noSqarray?: boolean;
  /** Raw `IORING_SETUP_*` bits ORed into those the options set: the escape hatch. */
  flags?: number;
}

/** Flags this ring cannot honour: it maps its own memory, uses 16- or 32-byte CQEs and 64- or 128-byte SQEs throughout, and moves SQ head and tail. */
const UNSUPPORTED = IORING_SETUP_NO_MMAP | IORING_SETUP_REGISTERED_FD_ONLY | IORING_SETUP_CQE_MIXED |
  IORING_SETUP_SQE_MIXED |
  IORING_SETUP_SQ_REWIND;

/** The checked form of the options. */
export interface SetupRequest {
  entries: number;
  flags: number;
  params: Uint8Array;
}

function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

function checkCount(name: string, value: number, max: number, clamp: boolean): void {
  if (typeof value !== "number") {
    throw new TypeError(`Cannot set up ring: ${name} must be a number: current value is ${typeof value}`);
  }
  if (!isPowerOfTwo(value)) {
    throw new RangeError(`Cannot set up ring: ${name} must be a power of two: current value is ${value}`);
  }
  if (!clamp && value > max) {
    throw new RangeError(
      `Cannot set up ring: ${name} must be at most ${max} (or set clamp): current value is ${value}`,
    );
  }
}

/** Checks options and encodes `struct io_uring_params`. */
export function encodeSetup(options: IoRingOptions): SetupRequest {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("Cannot set up ring: options must be an object");
  }
  const o = options;
  let flags = o.flags ?? 0;
  if (!Number.isInteger(flags) || flags < 0 || flags > 0xffffffff) {
    throw new RangeError(
      `Cannot set up ring: flags must be a 32-bit unsigned integer: current value is ${flags}`,
    );
  }
  const bit = (on: boolean | undefined, f: number) => {
    if (on !== undefined && typeof on !== "boolean") {
      throw new TypeError(`Cannot set up ring: ${setupFlagNames(f)[0]} option must be a boolean`);
    }
    if (on === true) flags |= f;
  };
  bit(o.sqpoll, IORING_SETUP_SQPOLL);
  bit(o.submitAll, IORING_SETUP_SUBMIT_ALL);
  bit(o.coopTaskrun, IORING_SETUP_COOP_TASKRUN);
  bit(o.taskrunFlag, IORING_SETUP_TASKRUN_FLAG);
  bit(o.singleIssuer, IORING_SETUP_SINGLE_ISSUER);
  bit(o.deferTaskrun, IORING_SETUP_DEFER_TASKRUN);
  bit(o.sqe128, IORING_SETUP_SQE128);
  bit(o.cqe32, IORING_SETUP_CQE32);
  bit(o.clamp, IORING_SETUP_CLAMP);
  bit(o.rDisabled, IORING_SETUP_R_DISABLED);
  bit(o.iopoll, IORING_SETUP_IOPOLL);
  bit(o.hybridIopoll, IORING_SETUP_HYBRID_IOPOLL);
  bit(o.noSqarray, IORING_SETUP_NO_SQARRAY);
  flags >>>= 0;
  const clamp = (flags & IORING_SETUP_CLAMP) !== 0;

  const entries = o.entries ?? 256;
  checkCount("entries", entries, IORING_MAX_ENTRIES, clamp);
  const view = new DataView(new ArrayBuffer(PARAMS.size));
  if (o.cqEntries !== undefined) {
    checkCount("cqEntries", o.cqEntries, IORING_MAX_CQ_ENTRIES, clamp);
    if (o.cqEntries < entries) {
      throw new RangeError(
        `Cannot set up ring: cqEntries must be at least entries (${entries}): current value is ${o.cqEntries}`,
      );
    }
    flags |= IORING_SETUP_CQSIZE;
    view.setUint32(PARAMS.cqEntries, o.cqEntries, true);
  }
  const sqpoll = (flags & IORING_SETUP_SQPOLL) !== 0;
  if (o.sqThreadIdle !== undefined) {
    if (!sqpoll) throw new TypeError("Cannot set up ring: sqThreadIdle needs sqpoll");
    if (!Number.isInteger(o.sqThreadIdle) || o.sqThreadIdle < 0 || o.sqThreadIdle > 0xffffffff) {
      throw new RangeError(
        `Cannot set up ring: sqThreadIdle must be whole milliseconds >= 0: current value is ${o.sqThreadIdle}`,
      );
    }
    view.setUint32(PARAMS.sqThreadIdle, o.sqThreadIdle, true);
  }
  if (o.sqThreadCpu !== undefined) {
    if (!sqpoll) throw new TypeError("Cannot set up ring: sqThreadCpu needs sqpoll");
    if (!Number.isInteger(o.sqThreadCpu) || o.sqThreadCpu < 0 || o.sqThreadCpu > 0xffff) {
      throw new RangeError(
        `Cannot set up ring: sqThreadCpu must be a CPU number: current value is ${o.sqThreadCpu}`,
      );
    }
    flags |= IORING_SETUP_SQ_AFF;
    view.setUint32(PARAMS.sqThreadCpu, o.sqThreadCpu, true);
  }
  if (o.attachWq !== undefined) {
    const wqFd = typeof o.attachWq === "number" ? o.attachWq : o.attachWq?.fd;
    if (!Number.isInteger(wqFd) || (wqFd as number) < 0) {
      throw new TypeError("Cannot set up ring: attachWq must be an open IoRing or a ring file descriptor");
    }
    flags |= IORING_SETUP_ATTACH_WQ;
    view.setUint32(PARAMS.wqFd, wqFd as number, true);
  }
  flags >>>= 0;
  if ((flags & UNSUPPORTED) !== 0) {
    throw new TypeError(
      `Cannot set up ring: ${setupFlagNames(flags & UNSUPPORTED).join(" | ")} is not supported by IoRing`,
    );
  }
  const need = (f: number, needs: number, message: string) => {
    if ((flags & f) !== 0 && (flags & needs) === 0) throw new TypeError(`Cannot set up ring: ${message}`);
  };
  need(IORING_SETUP_DEFER_TASKRUN, IORING_SETUP_SINGLE_ISSUER, "deferTaskrun needs singleIssuer");
  need(
    IORING_SETUP_TASKRUN_FLAG,
    IORING_SETUP_COOP_TASKRUN | IORING_SETUP_DEFER_TASKRUN,
    "taskrunFlag needs coopTaskrun or deferTaskrun",
  );
  need(IORING_SETUP_HYBRID_IOPOLL, IORING_SETUP_IOPOLL, "hybridIopoll needs iopoll");
  if (
    sqpoll &&
    (flags & (IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG | IORING_SETUP_DEFER_TASKRUN)) !== 0
  ) {
    throw new TypeError(
      "Cannot set up ring: coopTaskrun, taskrunFlag and deferTaskrun cannot be combined with sqpoll",
    );
  }
  need(
    IORING_SETUP_COOP_TASKRUN,
    IORING_SETUP_DEFER_TASKRUN,
    "coopTaskrun alone would let completions wait until the JavaScript thread next enters the kernel, " +
      "which an idle event loop may never do; use it with deferTaskrun (and singleIssuer)",
  );
  view.setUint32(PARAMS.flags, flags, true);
  return { entries, flags, params: new Uint8Array(view.buffer) };
}

const SETUP_NAMES: [number, string][] = Object.entries(constants)
  .filter(([name, value]) =>
    name.startsWith("IORING_SETUP_") && typeof value === "number" && isPowerOfTwo(value)
  )
  .map(([name, value]) => [value as number, name] as [number, string])
  .sort((a, b) => a[0] - b[0]); // a module namespace lists its exports alphabetically

/** The `IORING_SETUP_*` bits set in `flags`, with their names. */
export function setupFlagBits(flags: number): [number, string][] {
  return SETUP_NAMES.filter(([value]) => (flags & value) !== 0);
}

/** The `IORING_SETUP_*` names of the bits in `flags`. */
export function setupFlagNames(flags: number): string[] {
  return setupFlagBits(flags).map(([, name]) => name);
}

/** Flags that only mean something with another, so isolating a refused flag drops them together. */
export const SETUP_DEPENDENTS: ReadonlyMap<number, number> = new Map([
  [IORING_SETUP_SQPOLL, IORING_SETUP_SQ_AFF],
  [IORING_SETUP_SINGLE_ISSUER, IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_TASKRUN_FLAG],
  [IORING_SETUP_DEFER_TASKRUN, IORING_SETUP_TASKRUN_FLAG],
  [IORING_SETUP_COOP_TASKRUN, IORING_SETUP_TASKRUN_FLAG],
  [IORING_SETUP_IOPOLL, IORING_SETUP_HYBRID_IOPOLL],
]);
