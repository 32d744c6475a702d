/**
 * The ring machinery: setup, the SQ and CQ as typed-array views over the
 * kernel's mapped memory, batched submission, completion dispatch, links,
 * cancellation, multishot streams, and teardown.
 *
 * @module
 */
import { type Native, native as loadNative } from "../ffi/native.ts";
import {
  IO_URING_OP_SUPPORTED,
  IORING_ASYNC_CANCEL_ALL,
  IORING_ASYNC_CANCEL_ANY,
  IORING_ASYNC_CANCEL_FD,
  IORING_ASYNC_CANCEL_FD_FIXED,
  IORING_CQ_EVENTFD_DISABLED,
  IORING_CQE_F_MORE,
  IORING_CQE_F_NOTIF,
  IORING_ENTER_GETEVENTS,
  IORING_ENTER_REGISTERED_RING,
  IORING_ENTER_SQ_WAIT,
  IORING_ENTER_SQ_WAKEUP,
  IORING_FEAT_SINGLE_MMAP,
  IORING_OFF_CQ_RING,
  IORING_OFF_SQ_RING,
  IORING_OFF_SQES,
  IORING_OP_ASYNC_CANCEL,
  IORING_OP_LINK_TIMEOUT,
  IORING_OP_MSG_RING,
  IORING_OP_TIMEOUT,
  IORING_REGISTER_ENABLE_RINGS,
  IORING_REGISTER_EVENTFD,
  IORING_REGISTER_EVENTFD_ASYNC,
  IORING_REGISTER_PROBE,
  IORING_REGISTER_RING_FDS,
  IORING_REGISTER_SEND_MSG_RING,
  IORING_SETUP_CQE32,
  IORING_SETUP_DEFER_TASKRUN,
  IORING_SETUP_IOPOLL,
  IORING_SETUP_NO_SQARRAY,
  IORING_SETUP_R_DISABLED,
  IORING_SETUP_SQE128,
  IORING_SETUP_SQPOLL,
  IORING_SQ_CQ_OVERFLOW,
  IORING_SQ_NEED_WAKEUP,
  IORING_SQ_TASKRUN,
  IORING_UNREGISTER_EVENTFD,
  IORING_UNREGISTER_RING_FDS,
  IOSQE_CQE_SKIP_SUCCESS,
  IOSQE_IO_HARDLINK,
  IOSQE_IO_LINK,
} from "../kernel/constants.ts";
import { IoRingError } from "../util/error.ts";
import { CQRING_OFFSETS, PARAMS, PROBE, SQRING_OFFSETS } from "../kernel/layout.ts";
import { Notifier } from "./notifier.ts";
import {
  encodeSetup,
  type IoRingOptions,
  SETUP_DEPENDENTS,
  setupFlagBits,
  setupFlagNames,
} from "./params.ts";
import { SkipAccounting } from "./skip_accounting.ts";
import { SqeWriter } from "../sqe/writer.ts";
import type { Op } from "../sqe/op.ts";
import { FixedFile } from "../sqe/fixed_file.ts";
import { encodeTimespec, type TimeSpec, timeSpecMs } from "../memory/timespec.ts";
import { addressOf as nativeAddress, checkBacking } from "../memory/buffers.ts";
import { checkInt, describe, isThenable } from "../util/checks.ts";
import * as constants from "../kernel/constants.ts";
import {
  EAGAIN,
  EALREADY,
  EBADF,
  EBUSY,
  ECANCELED,
  EINTR,
  ENOENT,
  ENOMEM,
  EOPNOTSUPP,
  ETIME,
  ETIMEDOUT,
} from "../kernel/errno.ts";

export type { IoRingOptions } from "./params.ts";

/** A completion, copied out of the CQ. */
export interface Cqe {
  /** The `userData` the operation was prepared with. */
  userData: number;
  /** The result: >= 0 on success, `-errno` on failure. */
  res: number;
  /** `IORING_CQE_F_*` flags (MORE, BUFFER with the buffer id in the high 16 bits, NOTIF, ...). */
  flags: number;
  /** The extra 16 bytes of a 32-byte CQE (IORING_SETUP_CQE32 only). */
  big?: BigUint64Array;
}

/** A callback that receives low-level completions without allocating. */
export type CompletionCallback = (userData: number, res: number, flags: number) => void;

/** Options of {@link IoRing.completions}. */
export interface CompletionsOptions {
  /** End the iteration when no low-level operation is in flight instead of waiting for more. */
  stopWhenIdle?: boolean;
}

/** Options every promise operation takes. */
export interface RunOptions {
  /**
   * Cancels the operation (ASYNC_CANCEL); the promise rejects with the signal's reason once the kernel lets
   * go. An abort that comes after the kernel completed the operation (the cancel finds nothing) changes
   * nothing: the promise settles with the operation's own result, as liburing reports it, so a write that
   * happened resolves with its byte count and an accepted or opened fd reaches the caller (check
   * `signal.aborted` to tell).
   */
  signal?: AbortSignal;
  /** Cancels the operation if it has not completed in time (a linked IORING_OP_LINK_TIMEOUT); it then rejects with ETIMEDOUT. */
  timeout?: TimeSpec;
}

/** Options of {@link IoRing.link}. */
export interface LinkOptions {
  /** IOSQE_IO_HARDLINK: a failed operation does not break the chain. */
  hard?: boolean;
}

/** What {@link IoRing.probe} reports. */
export interface ProbeResult {
  /** The highest opcode this kernel knows. */
  lastOp: number;
  /** The supported `IORING_OP_*` codes. */
  supported: ReadonlySet<number>;
  /** The names of the supported opcodes ("IORING_OP_READ", ...). */
  names: readonly string[];
}

/** The outcome of one operation of a {@link IoRing.link} chain, as `Promise.allSettled` gives it. */
export type LinkResult = PromiseSettledResult<number>;

/** A multishot operation's completion, as its iterator yields it. */
export interface MultishotCqe {
  /** The result of this shot (an accepted fd, bytes received, ...). */
  res: number;
  /** `IORING_CQE_F_*` flags (BUFFER with the buffer id above IORING_CQE_BUFFER_SHIFT, MORE, ...). */
  flags: number;
}

/** Options of {@link IoRing.multishot}. */
export interface MultishotOptions {
  /** Ends the stream and cancels the operation. */
  signal?: AbortSignal;
  /** Submit the op again when the kernel ends it with a positive result (it may stop a multishot, e.g. when the CQ is full). */
  rearm?: boolean;
  /**
   * Called with each completion the loop will not see: those still queued when it breaks, and those the
   * kernel posts before the cancellation lands. With a buffer group, recycle their buffers here
   * (`pool.recycle(pool.take(cqe.flags, cqe.res).bid)`), or the pool loses them. Without it, the new fds
   * of an op whose results are fds (a multishot accept) are closed by the ring.
   */
  onDrop?: (cqe: MultishotCqe) => void;
}

type StreamSink = (res: number, flags: number) => void;

interface SlotExtra {
  stream?: StreamSink;
  signal?: AbortSignal;
  onAbort?: () => void;
  aborted?: boolean;
  timeoutSlot?: number; // this op's LINK_TIMEOUT slot
  timeoutMs?: number;
  timeoutDone?: boolean;
  timedOut?: boolean;
  pendingRes?: number;
  timeoutFor?: number; // this slot is the LINK_TIMEOUT of that one
  firstRes?: number; // a zero-copy send's result, kept until its notification CQE
}

/**
 * The ops in flight under one low-level userData. A completion cannot say which of them it is for, so
 * all are held until as many completions as ops have arrived: releasing the first one prepared when
 * another completed first would let the kernel write into memory the collector may reclaim.
 */
class SharedUserData {
  readonly ops: Op[];
  #pending = 2;

  constructor(first: Op, second: Op) {
    this.ops = [first, second];
  }

  add(op: Op): void {
    // A reused builder is held once, so one userData prepared again and again keeps a bounded list.
    if (!this.ops.includes(op)) this.ops.push(op);
    this.#pending++;
  }

  /** Counts one completion; true once every op has had its last. */
  complete(): boolean {
    return --this.#pending === 0;
  }
}

/** An internal LINK_TIMEOUT op holding its timespec until its completion. */
function linkTimeoutOp(timespec: BigInt64Array): Op {
  const address = nativeAddress(timespec);
  return {
    name: "link_timeout",
    opcode: IORING_OP_LINK_TIMEOUT,
    since: "5.5",
    target: {},
    prep: (sqe) => void sqe.prepRw(IORING_OP_LINK_TIMEOUT, -1, address, 1, 0),
  };
}

/** An ASYNC_CANCEL keyed by fd (or matching any request), for the promise API. */
function cancelOp(fd: number, flags: number): Op {
  return {
    name: "async_cancel",
    opcode: IORING_OP_ASYNC_CANCEL,
    since: "5.5",
    target: fd >= 0 ? { fd } : {},
    holdsMemory: false,
    prep: (sqe) => void sqe.prepRw(IORING_OP_ASYNC_CANCEL, fd, 0, 0, 0).opFlags(flags),
  };
}

const OPCODE_NAMES = new Map<number, string>(
  Object.entries(constants)
    .filter(([name, value]) =>
      name.startsWith("IORING_OP_") && name !== "IORING_OP_LAST" && typeof value === "number"
    )
    .map(([name, value]) => [value as number, name]),
);

function opcodeName(opcode: number): string {
  return OPCODE_NAMES.get(opcode) ?? `opcode ${opcode}`;
}

const loaded: { native: Native; notifier: Notifier } | { error: unknown } = await loadNative().then(
  (native) => ({ native, notifier: new Notifier(native) }),
  (error) => ({ error }),
);

// user_data of promise operations: the high word's top bit is set, the low word is the slot,
// and the rest of the high word is the slot's generation. Low-level user data is a safe integer
// (below 2^53), so its high word never has the top bit.
const INTERNAL = 0x80000000;
const GENERATION_MASK = 0x7fffffff;
const INTERNAL_CANCEL_SLOT = 0xffffffff;
const TWO_32 = 4294967296;
const TAIL = 0; // SQEs written; published to the kernel on submit
const KNOWN_HEAD = 1; // the SQ head as last read from (or implied by) the kernel
const CQ_HEAD = 2; // CQEs consumed
const MAX_USER_DATA = Number.MAX_SAFE_INTEGER;

/**
 * The fd and `IORING_ASYNC_CANCEL_*` flags that cancel every operation on `target`: a file descriptor, a
 * registered file, or (where `all` is allowed) "all" for every operation on the ring.
 */
export function cancelTarget(
  target: number | FixedFile | "all",
  all: boolean,
): { fd: number; flags: number } {
  if (all && target === "all") return { fd: -1, flags: IORING_ASYNC_CANCEL_ANY | IORING_ASYNC_CANCEL_ALL };
  const fixed = target instanceof FixedFile;
  const fd = fixed ? target.index : target;
  if (isThenable(fd)) {
    throw new TypeError(
      "Cannot cancel: fd must be a file descriptor: current value is a Promise: did you forget await?",
    );
  }
  if (typeof fd !== "number" || !Number.isInteger(fd) || fd < 0) {
    throw new RangeError(
      `Cannot cancel: ${
        all
          ? 'target must be a file descriptor, a FixedFile or "all"'
          : "fd must be a file descriptor or a FixedFile"
      }: current value is ${String(target)}`,
    );
  }
  return {
    fd,
    flags: IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_ALL | (fixed ? IORING_ASYNC_CANCEL_FD_FIXED : 0),
  };
}

/** Memory of skip-flagged low-level ops whose ring closed before they were known to be done. */
const HELD_AFTER_CLOSE = new Set<unknown>();

/** The okErrno of a slot whose callback takes every result as it is, failures included. */
const RAW_RESULT = -1;

/**
 * Calls a caller's callback with a completion. If it throws, the error is reported as uncaught, and the
 * ring goes on: the slot still settles and the other completions are still delivered.
 */
function callBack(callback: (res: number, flags: number) => void, res: number, flags: number): void {
  try {
    callback(res, flags);
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}

/** What a call on a closed ring throws: EBADF, saying the ring is closed, with the op's fd or path. */
function closedError(op: string | Op | undefined, fallback = "run"): IoRingError {
  if (typeof op === "string") return new IoRingError(EBADF, op, { detail: "the ring is closed" });
  const name = typeof op?.name === "string" ? op.name : fallback;
  const target = op !== null && typeof op === "object" && op.target !== null && typeof op.target === "object"
    ? op.target
    : {};
  return new IoRingError(EBADF, name, { ...target, detail: "the ring is closed" });
}

/** Refuses what is not an op builder before any of it is written into an SQE. */
function checkOp(op: Op, what: string): void {
  if (
    op === null || typeof op !== "object" || typeof op.prep !== "function" ||
    !Number.isInteger(op.opcode) || op.opcode < 0 || op.opcode > 255
  ) {
    throw new TypeError(
      `Cannot ${what}: op must be an op builder (an object with an opcode and prep()): current value is ${
        describe(op)
      }`,
    );
  }
}

/**
 * The ring machinery under {@link IoRing}: setup, the mapped SQ and CQ,
 * batched submission, completion dispatch, links, cancellation, multishot
 * streams and teardown. Use {@link IoRing}, which adds one promise method per
 * operation.
 *
 * @example
 * ```ts
 * import { IoRing, Nop } from "@ioring/ioring";
 * using ring = new IoRing();
 * console.log(await ring.run(new Nop())); // 0
 * ```
 */
export class IoRingCore implements Disposable, AsyncDisposable {
  /** The ring's file descriptor. */
  readonly fd: number;
  /** The SQ size the kernel chose (a power of two). */
  readonly sqEntries: number;
  /** The CQ size the kernel chose. */
  readonly cqEntries: number;
  /** The `IORING_SETUP_*` flags the ring was created with. */
  readonly flags: number;
  /** The `IORING_FEAT_*` flags this kernel reported. */
  readonly features: number;
  /** Which native path the system calls go through: "liburing" or "libc". */
  readonly nativePath: "liburing" | "libc";

  readonly #native: Native;
  readonly #notifier: Notifier;
  readonly #maps: { address: number; length: number }[] = [];
  readonly #sqe: SqeWriter;
  readonly #sq: Uint32Array;
  readonly #sqHead: number;
  readonly #sqTail: number;
  readonly #sqFlags: number;
  readonly #sqDropped: number;
  readonly #sqMask: number;
  readonly #cq: Uint32Array;
  readonly #cqI32: Int32Array;
  readonly #cqHead: number;
  readonly #cqTail: number;
  readonly #cqFlags: number;
  readonly #cqOverflow: number;
  #userEventfd = -1; // the caller's eventfd, registered in place of the waiter's
  readonly #cqMask: number;
  readonly #cqes: number;
  readonly #cqeWords: number;
  readonly #sqpoll: boolean;
  readonly #iopoll: boolean;
  readonly #defer: boolean;
  readonly #enterFlags: number;
  #enterFd: number; // the ring's index among this thread's registered rings, or its fd
  #enterRegistered = 0; // IORING_ENTER_REGISTERED_RING when #enterFd is an index

  // The ring indexes, in a Uint32Array: stores wrap at 2^32 as the kernel's do, and (unlike fields
  // holding `x >>> 0`) they never turn into heap numbers, which cost V8 ~10 ns per SQE.
  readonly #index = new Uint32Array(3);
  #scheduled = false;
  #reaping = false;
  #checkOverflow = false;
  #backlog = false; // the kernel refused a submission with EAGAIN/EBUSY: retry after reaping
  #iopollTimer: ReturnType<typeof setTimeout> | undefined;
  #closing: Promise<void> | null = null;
  #closed = false;
  #finishClose: (() => void) | null = null;

  // Promise operations, by slot.
  #ops: (Op | undefined)[] = [];
  #resolve: (((res: number) => void) | undefined)[] = [];
  #reject: (((error: unknown) => void) | undefined)[] = [];
  #extra: (SlotExtra | undefined)[] = [];
  #probe: Uint8Array | null = null; // IO_URING_OP_SUPPORTED per opcode, when the kernel can tell
  #okErrno: number[] = [];
  #generation: number[] = [];
  #free: number[] = [];
  #promiseInflight = 0;

  // Low-level completions waiting to be read, as a growable ring of columns.
  #lowInflight = 0;
  #skip: SkipAccounting | null = null; // made when the first IOSQE_CQE_SKIP_SUCCESS op is prepared
  #lowRefs = new Map<number, Op | SharedUserData>();
  #lowUserData = new Float64Array(64);
  #lowRes = new Int32Array(64);
  #lowFlags = new Uint32Array(64);
  #lowBig: (BigUint64Array | undefined)[] = [];
  #lowStart = 0;
  #lowCount = 0;
  #lowWaiters: ((cqe: Cqe | null) => void)[] = [];
  #lowSink: CompletionCallback | null = null;
  #lowDelivered = 0;

  /**
   * Sets up a ring. Invalid options throw `TypeError`/`RangeError` before any
   * system call; a kernel refusal throws {@link IoRingError} naming the flag.
   */
  constructor(options: IoRingOptions = {}) {
    if ("error" in loaded) throw loaded.error;
    const n = loaded.native;
    this.#native = n;
    this.#notifier = loaded.notifier;
    this.nativePath = n.path;
    const request = encodeSetup(options);
    const fd = n.setup(request.entries, request.params);
    if (fd < 0) throw setupError(n, -fd, request.entries, request.params);
    this.fd = fd;
    try {
      const p = new DataView(request.params.buffer);
      const u32 = (offset: number) => p.getUint32(offset, true);
      this.sqEntries = u32(PARAMS.sqEntries);
      this.cqEntries = u32(PARAMS.cqEntries);
      this.flags = u32(PARAMS.flags);
      this.features = u32(PARAMS.features);
      const sqOff = (field: number) => u32(PARAMS.sqOff + field);
      const cqOff = (field: number) => u32(PARAMS.cqOff + field);
      const sqeSize = (this.flags & IORING_SETUP_SQE128) !== 0 ? 128 : 64;
      const cqeSize = (this.flags & IORING_SETUP_CQE32) !== 0 ? 32 : 16;
      const noSqArray = (this.flags & IORING_SETUP_NO_SQARRAY) !== 0;
      const sqSize = sqOff(SQRING_OFFSETS.array) + (noSqArray ? 0 : this.sqEntries * 4);
      const cqSize = cqOff(CQRING_OFFSETS.cqes) + this.cqEntries * cqeSize;
      let sqRing: ArrayBuffer, cqRing: ArrayBuffer;
      if ((this.features & IORING_FEAT_SINGLE_MMAP) !== 0) {
        sqRing = cqRing = this.#map(Math.max(sqSize, cqSize), IORING_OFF_SQ_RING);
      } else {
        sqRing = this.#map(sqSize, IORING_OFF_SQ_RING);
        cqRing = this.#map(cqSize, IORING_OFF_CQ_RING);
      }
      this.#sqe = new SqeWriter(this.#map(this.sqEntries * sqeSize, IORING_OFF_SQES), sqeSize);
      this.#sq = new Uint32Array(sqRing);
      this.#sqHead = sqOff(SQRING_OFFSETS.head) >>> 2;
      this.#sqTail = sqOff(SQRING_OFFSETS.tail) >>> 2;
      this.#sqFlags = sqOff(SQRING_OFFSETS.flags) >>> 2;
      this.#sqDropped = sqOff(SQRING_OFFSETS.dropped) >>> 2;
      this.#sqMask = this.#sq[sqOff(SQRING_OFFSETS.ringMask) >>> 2];
      if (!noSqArray) {
        // SQEs are used in ring order, so the index array is the identity, written once.
        const array = sqOff(SQRING_OFFSETS.array) >>> 2;
        for (let i = 0; i < this.sqEntries; i++) this.#sq[array + i] = i;
      }
      this.#index[TAIL] = this.#index[KNOWN_HEAD] = this.#sq[this.#sqTail];
      this.#cq = new Uint32Array(cqRing);
      this.#cqI32 = new Int32Array(cqRing);
      this.#cqHead = cqOff(CQRING_OFFSETS.head) >>> 2;
      this.#cqTail = cqOff(CQRING_OFFSETS.tail) >>> 2;
      this.#cqFlags = cqOff(CQRING_OFFSETS.flags) >>> 2;
      this.#cqOverflow = cqOff(CQRING_OFFSETS.overflow) >>> 2;
      this.#cqMask = this.#cq[cqOff(CQRING_OFFSETS.ringMask) >>> 2];
      this.#cqes = cqOff(CQRING_OFFSETS.cqes) >>> 2;
      this.#cqeWords = cqeSize >>> 2;
      this.#index[CQ_HEAD] = this.#cq[this.#cqHead];
      this.#sqpoll = (this.flags & IORING_SETUP_SQPOLL) !== 0;
      this.#iopoll = (this.flags & IORING_SETUP_IOPOLL) !== 0;
      this.#defer = (this.flags & IORING_SETUP_DEFER_TASKRUN) !== 0;
      // DEFER_TASKRUN completion work runs only when this thread asks for events.
      this.#enterFlags = this.#defer ? IORING_ENTER_GETEVENTS : 0;
      if (!this.#iopoll) {
        const ret = n.register(fd, IORING_REGISTER_EVENTFD, new Int32Array([this.#notifier.fd]), 1);
        if (ret < 0) throw new IoRingError(-ret, "io_uring_register", { detail: "IORING_REGISTER_EVENTFD" });
      }
      this.#enterFd = fd;
      this.#registerRingFd();
      this.#probe = this.#readProbe();
    } catch (error) {
      this.#unmap();
      n.close(fd);
      throw error;
    }
    this.#notifier.add(this);
  }

  /**
   * Registers the ring's fd with this thread (IORING_REGISTER_RING_FDS, 5.18),
   * so each io_uring_enter skips the fd lookup. Registration is per thread
   * and capped at 16 rings; without it the plain fd is used.
   */
  #registerRingFd(): void {
    const update = new Uint32Array([0xffffffff, 0, this.fd, 0]); // struct io_uring_rsrc_update, offset -1: any slot
    if (this.#native.register(this.fd, IORING_REGISTER_RING_FDS, update, 1) === 1) {
      this.#enterFd = update[0];
      this.#enterRegistered = IORING_ENTER_REGISTERED_RING;
    }
  }

  /** Asks the kernel which opcodes it supports (IORING_REGISTER_PROBE, 5.6); null if it cannot tell. */
  #readProbe(): Uint8Array | null {
    const ops = 256;
    const buffer = new Uint8Array(PROBE.size + ops * PROBE.opSize);
    if (this.#native.register(this.fd, IORING_REGISTER_PROBE, buffer, ops) < 0) return null;
    const supported = new Uint8Array(ops);
    const count = buffer[PROBE.opsLen];
    for (let i = 0; i < count; i++) {
      const at = PROBE.ops + i * PROBE.opSize;
      const flags = buffer[at + PROBE.opFlags] | (buffer[at + PROBE.opFlags + 1] << 8);
      if ((flags & IO_URING_OP_SUPPORTED) !== 0) supported[buffer[at + PROBE.opOp]] = 1;
    }
    return supported;
  }

  /**
   * Which opcodes this kernel's io_uring supports (IORING_REGISTER_PROBE).
   * Operations whose opcode is missing are refused at call time with an
   * error naming the opcode and the Linux version that introduced it.
   *
   * @example
   * ```ts
   * import { IORING_OP_READ, IoRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * console.log(ring.probe().supported.has(IORING_OP_READ)); // true
   * ```
   */
  probe(): ProbeResult {
    const supported = new Set<number>();
    const probe = this.#probe ?? this.#readProbe();
    if (probe === null) {
      throw new IoRingError(EOPNOTSUPP, "io_uring_register", {
        fd: this.fd,
        detail: "IORING_REGISTER_PROBE",
      });
    }
    probe.forEach((on, opcode) => on !== 0 && supported.add(opcode));
    return { lastOp: Math.max(...supported), supported, names: [...supported].map(opcodeName) };
  }

  #unregisterRingFd(): void {
    if (this.#enterRegistered === 0) return;
    this.#native.register(this.fd, IORING_UNREGISTER_RING_FDS, new Uint32Array([this.#enterFd, 0, 0, 0]), 1);
    this.#enterRegistered = 0;
    this.#enterFd = this.fd;
  }

  #enter(toSubmit: number, flags: number): number {
    return this.#native.enter(this.#enterFd, toSubmit, 0, flags | this.#enterRegistered);
  }

  #map(length: number, offset: number): ArrayBuffer {
    const address = this.#native.mmapShared(this.fd, length, offset, true);
    if (address < 0) {
      throw new IoRingError(-address, "mmap", {
        fd: this.fd,
        detail: `${length} bytes of the ring at offset 0x${offset.toString(16)}`,
      });
    }
    this.#maps.push({ address, length });
    return this.#native.arrayBufferAt(address, length);
  }

  #unmap(): void {
    for (const { address, length } of this.#maps) this.#native.munmap(address, length);
    this.#maps.length = 0;
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#closing !== null;
  }

  /**
   * Operations submitted or queued whose last completion has not arrived. A low-level op flagged
   * IOSQE_CQE_SKIP_SUCCESS is not counted, since it posts nothing when it succeeds; when it fails, its
   * completion is delivered and, in an IOSQE_IO_LINK chain, the ops after it leave the count, as the kernel
   * cancels them without a completion.
   */
  get inflight(): number {
    return this.#promiseInflight + this.#lowInflight;
  }

  /**
   * For the completion waiter (`ring/notifier.ts`): completions are expected, from this
   * ring's operations or, while an iterator waits, from other rings (MSG_RING).
   */
  get awaitingCompletions(): boolean {
    if (this.#userEventfd >= 0) return false; // the caller waits on its own eventfd and calls reap()
    return this.#promiseInflight + this.#lowInflight > 0 || this.#lowWaiters.length > 0;
  }

  /**
   * Registers the caller's eventfd with the ring (IORING_REGISTER_EVENTFD, 5.2; with `async`,
   * IORING_REGISTER_EVENTFD_ASYNC, 5.6: only completions posted by the kernel's io-wq workers signal it), for
   * driving the ring from another event loop. The ring has one eventfd slot, which normally belongs to
   * the completion waiter: while the caller's eventfd holds it, nothing waits for this ring's
   * completions but the caller, who calls {@link IoRingCore.reap} when the eventfd fires (operations
   * completing inline during a submit are still delivered at once). `unregisterEventfd()` gives the
   * slot back to the waiter.
   *
   * @example
   * ```ts ignore
   * ring.registerEventfd(efd);
   * // … when efd is readable (read it to reset it):
   * ring.reap();
   * ```
   */
  registerEventfd(fd: number, options: { async?: boolean } = {}): void {
    if (!Number.isInteger(fd) || fd < 0) {
      throw new RangeError(
        `Cannot register an eventfd: fd must be a file descriptor: current value is ${fd}`,
      );
    }
    if (this.#iopoll) {
      throw new TypeError("Cannot register an eventfd: an IOPOLL ring posts no eventfd signals");
    }
    this.register(IORING_UNREGISTER_EVENTFD, "IORING_UNREGISTER_EVENTFD", null, 0);
    const opcode = options.async === true ? IORING_REGISTER_EVENTFD_ASYNC : IORING_REGISTER_EVENTFD;
    const ret = this.#native.register(this.fd, opcode, new Int32Array([fd]), 1);
    if (ret < 0) {
      this.#native.register(this.fd, IORING_REGISTER_EVENTFD, new Int32Array([this.#notifier.fd]), 1);
      throw new IoRingError(-ret, "io_uring_register", {
        fd: this.fd,
        detail: options.async === true ? "IORING_REGISTER_EVENTFD_ASYNC" : "IORING_REGISTER_EVENTFD",
      });
    }
    this.#userEventfd = fd;
    this.#notifier.update();
    this.#schedule(); // completions already in the CQ signalled no eventfd of the caller's: deliver them now
  }

  /** Gives the eventfd slot back to the ring's own waiter (IORING_UNREGISTER_EVENTFD). */
  unregisterEventfd(): void {
    if (this.#userEventfd < 0) return;
    this.register(IORING_UNREGISTER_EVENTFD, "IORING_UNREGISTER_EVENTFD", null, 0);
    this.setEventfdEnabled(true);
    this.register(IORING_REGISTER_EVENTFD, "IORING_REGISTER_EVENTFD", new Int32Array([this.#notifier.fd]), 1);
    this.#userEventfd = -1;
    this.#schedule();
  }

  /**
   * Whether a registered eventfd is signalled: false while IORING_CQ_EVENTFD_DISABLED is set in the CQ
   * ring's flags (see {@link IoRingCore.setEventfdEnabled}). Matches `io_uring_cq_eventfd_enabled()`.
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * console.log(ring.eventfdEnabled); // true
   * ```
   */
  get eventfdEnabled(): boolean {
    if (this.#closed) throw closedError("eventfdEnabled");
    return (Atomics.load(this.#cq, this.#cqFlags) & IORING_CQ_EVENTFD_DISABLED) === 0;
  }

  /**
   * Completions the kernel had to drop because the CQ was full, as the CQ ring's `overflow` counter has it
   * (with IORING_FEAT_NODROP, 5.5, the kernel keeps them instead, and this stays 0 unless it ran out of
   * memory). Matches `*ring->cq.koverflow` in liburing.
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * console.log(ring.cqOverflow); // 0
   * ```
   */
  get cqOverflow(): number {
    if (this.#closed) throw closedError("cqOverflow");
    return Atomics.load(this.#cq, this.#cqOverflow);
  }

  /**
   * SQEs the kernel dropped as invalid (an index outside the SQ in the SQ array), as the SQ ring's `dropped`
   * counter has it. Matches `*ring->sq.kdropped` in liburing.
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * console.log(ring.sqDropped); // 0
   * ```
   */
  get sqDropped(): number {
    if (this.#closed) throw closedError("sqDropped");
    return Atomics.load(this.#sq, this.#sqDropped);
  }

  /**
   * The SQ ring's `IORING_SQ_*` flags as the kernel last set them: NEED_WAKEUP (the SQPOLL thread sleeps),
   * CQ_OVERFLOW (completions wait in the kernel for room in the CQ), TASKRUN (completion work waits for an
   * io_uring_enter). Matches `*ring->sq.kflags` in liburing.
   *
   * @example
   * ```ts
   * import { IoRing, IORING_SQ_CQ_OVERFLOW } from "@ioring/ioring";
   * using ring = new IoRing();
   * console.log((ring.sqFlags & IORING_SQ_CQ_OVERFLOW) !== 0); // false
   * ```
   */
  get sqFlags(): number {
    if (this.#closed) throw closedError("sqFlags");
    return Atomics.load(this.#sq, this.#sqFlags);
  }

  /**
   * Stops (or restarts) signals to the caller's registered eventfd without unregistering it, by
   * IORING_CQ_EVENTFD_DISABLED in the CQ ring's flags (5.8). Only for the caller's eventfd: the ring's own
   * waiter needs its signals.
   */
  setEventfdEnabled(enabled: boolean): void {
    if (this.#closed) throw closedError("setEventfdEnabled"); // the CQ ring's flags are unmapped
    if (this.#userEventfd < 0 && !enabled) {
      throw new TypeError(
        "Cannot disable eventfd signals: no eventfd of yours is registered (the ring's waiter needs them)",
      );
    }
    const flags = Atomics.load(this.#cq, this.#cqFlags);
    const next = enabled ? flags & ~IORING_CQ_EVENTFD_DISABLED : flags | IORING_CQ_EVENTFD_DISABLED;
    Atomics.store(this.#cq, this.#cqFlags, next >>> 0);
  }

  /**
   * Delivers what the kernel has completed (promise operations settle; low-level completions go to
   * `completions()` and `forEachCompletion()`), runs deferred completion work if the ring needs it, and
   * submits anything queued. The ring does this by itself unless the caller's eventfd is registered.
   */
  reap(): void {
    if (this.#closed) return;
    this.#submit();
    this.service();
  }

  /** SQEs written but not yet handed to the kernel. */
  get queued(): number {
    return (this.#index[TAIL] - this.#index[KNOWN_HEAD]) >>> 0;
  }

  // ---- submission ----------------------------------------------------------

  /** Selects the next free SQE, making room by submitting if the SQ is full. */
  #nextSqe(): SqeWriter {
    if (((this.#index[TAIL] - this.#index[KNOWN_HEAD]) >>> 0) >= this.sqEntries) {
      this.#index[KNOWN_HEAD] = Atomics.load(this.#sq, this.#sqHead);
      if (((this.#index[TAIL] - this.#index[KNOWN_HEAD]) >>> 0) >= this.sqEntries) this.#makeRoom();
    }
    return this.#sqe.select(this.#index[TAIL] & this.#sqMask);
  }

  #makeRoom(): void {
    for (let attempt = 0; attempt < 64; attempt++) {
      this.#submit();
      this.#index[KNOWN_HEAD] = Atomics.load(this.#sq, this.#sqHead);
      if (((this.#index[TAIL] - this.#index[KNOWN_HEAD]) >>> 0) < this.sqEntries) return;
      if (this.#sqpoll) {
        this.#enter(0, IORING_ENTER_SQ_WAIT);
      } else {
        // The kernel pushed back (EAGAIN/EBUSY): completions must be reaped first.
        this.#enter(0, IORING_ENTER_GETEVENTS);
        this.#reap();
      }
    }
    throw new IoRingError(EBUSY, "io_uring_enter", {
      fd: this.fd,
      detail: "the submission queue stayed full",
    });
  }

  #schedule(): void {
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(this.#flush);
    }
  }

  #flush = (): void => {
    this.#scheduled = false;
    if (this.#closed) return;
    this.#submit();
    this.#reap();
    this.#afterReap();
  };

  #afterReap(): void {
    if (this.#closing !== null && this.inflight === 0) this.#teardown();
    if (this.#closed) return;
    if (this.#iopoll) {
      if (this.inflight > 0 && this.#iopollTimer === undefined) {
        this.#iopollTimer = setTimeout(this.#pollIopoll, 0);
      }
      return;
    }
    this.#notifier.update();
  }

  #pollIopoll = (): void => {
    this.#iopollTimer = undefined;
    if (this.#closed) return;
    this.#enter(0, IORING_ENTER_GETEVENTS);
    this.#reap();
    this.#afterReap();
  };

  /**
   * Hands every queued SQE to the kernel with one `io_uring_enter` (with
   * SQPOLL, publishes the tail and wakes the thread only if it sleeps).
   * Returns the number of SQEs the kernel took. Queued operations are also
   * submitted on a microtask, so calling this is only needed to submit
   * earlier than that. Matches `io_uring_submit()` in liburing.
   */
  submit(): number {
    if (this.#closed) return 0;
    return this.#submit();
  }

  #submit(): number {
    const toSubmit = (this.#index[TAIL] - this.#index[KNOWN_HEAD]) >>> 0;
    if (toSubmit === 0 && !this.#backlog) return 0;
    this.#skip?.endChain();
    Atomics.store(this.#sq, this.#sqTail, this.#index[TAIL]);
    if (this.#sqpoll) {
      if ((Atomics.load(this.#sq, this.#sqFlags) & IORING_SQ_NEED_WAKEUP) !== 0) {
        this.#enter(0, IORING_ENTER_SQ_WAKEUP);
      }
      this.#index[KNOWN_HEAD] = Atomics.load(this.#sq, this.#sqHead);
      return toSubmit;
    }
    let submitted = 0;
    let left = toSubmit;
    this.#backlog = false;
    while (left > 0) {
      const ret = this.#enter(left, this.#enterFlags);
      if (ret > 0) {
        submitted += ret;
        left -= ret;
        continue;
      }
      if (ret === -EINTR) continue;
      if (ret === -EAGAIN || ret === -EBUSY || ret === 0) {
        this.#backlog = left > 0;
        break;
      }
      this.#failQueued(-ret);
      return submitted;
    }
    // The kernel consumed exactly what it reports (the SQ array is the identity), so no head load is needed.
    this.#index[KNOWN_HEAD] += submitted;
    return submitted;
  }

  /** The kernel refused the batch outright: every queued SQE completes with that errno, and the SQ is rewound. */
  #failQueued(errno: number): void {
    const head = Atomics.load(this.#sq, this.#sqHead);
    const tail = this.#index[TAIL];
    this.#index[TAIL] = this.#index[KNOWN_HEAD] = head;
    Atomics.store(this.#sq, this.#sqTail, head);
    for (let i = head; i !== tail; i = (i + 1) >>> 0) {
      this.#sqe.select(i & this.#sqMask);
      this.#dispatch(this.#sqe.userDataLo(), this.#sqe.userDataHi(), -errno, 0, 0, this.#sqe.sqeFlags());
    }
  }

  // ---- completion ----------------------------------------------------------

  /** For the completion waiter: runs deferred completion work if needed, reaps, resubmits a backlog. */
  service(): void {
    if (this.#closed) return;
    this.#checkOverflow = true;
    if (this.#defer || this.#backlog || (Atomics.load(this.#sq, this.#sqFlags) & IORING_SQ_TASKRUN) !== 0) {
      this.#enter(0, IORING_ENTER_GETEVENTS);
    }
    this.#reap();
    if (this.#backlog) this.#submit();
    if (this.#closing !== null && this.inflight === 0) this.#teardown();
  }

  /**
   * Consumes every CQE in the CQ, advancing the head once per batch. A CQE is
   * consumed before it is dispatched, so a callback that throws loses nothing
   * and sees nothing twice.
   */
  #reap(): number {
    if (this.#reaping || this.#closed) return 0;
    this.#reaping = true;
    const cq = this.#cq;
    const res = this.#cqI32;
    const words = this.#cqeWords;
    const base = this.#cqes;
    const mask = this.#cqMask;
    let head = this.#index[CQ_HEAD];
    let count = 0;
    // Completions overflow only into a full CQ, and only this thread consumes: so the overflow flag
    // needs a look only after a batch that found the CQ full (or when the waiter woke us).
    let sawFull = this.#checkOverflow;
    this.#checkOverflow = false;
    try {
      for (;;) {
        const tail = Atomics.load(cq, this.#cqTail);
        if (head === tail) {
          if (!sawFull || (Atomics.load(this.#sq, this.#sqFlags) & IORING_SQ_CQ_OVERFLOW) === 0) break;
          sawFull = false;
          // Completions the CQ had no room for wait in the kernel: flush them in, lose none.
          this.#index[CQ_HEAD] = head;
          Atomics.store(cq, this.#cqHead, head);
          this.#enter(0, IORING_ENTER_GETEVENTS);
          if (Atomics.load(cq, this.#cqTail) === head) break;
          continue;
        }
        if (((tail - head) >>> 0) >= this.cqEntries) sawFull = true;
        const sink = this.#lowSink;
        while (head !== tail) {
          const w = base + (head & mask) * words;
          head = (head + 1) >>> 0;
          count++;
          const hi = cq[w + 1];
          const flags = cq[w + 3];
          // The common low-level case, inline: 16-byte CQE, no buffers held, not multishot.
          if (
            sink !== null && hi < INTERNAL && words === 4 && this.#lowRefs.size === 0 &&
            (flags & IORING_CQE_F_MORE) === 0 && this.#skip === null
          ) {
            if (this.#lowInflight > 0) this.#lowInflight--;
            this.#lowDelivered++;
            sink(cq[w] + hi * TWO_32, res[w + 2], flags);
            continue;
          }
          this.#dispatch(cq[w], hi, res[w + 2], flags, words === 8 ? w + 4 : 0, -1);
        }
        this.#index[CQ_HEAD] = head;
        Atomics.store(cq, this.#cqHead, head);
      }
    } finally {
      if (this.#index[CQ_HEAD] !== head) {
        this.#index[CQ_HEAD] = head;
        Atomics.store(cq, this.#cqHead, head);
      }
      this.#reaping = false;
    }
    return count;
  }

  /**
   * Delivers one completion. `withdrawnFlags` is -1 for a CQE; for an SQE the kernel never took (its batch
   * was refused), it is that SQE's `IOSQE_*` flags.
   */
  #dispatch(
    lo: number,
    hi: number,
    res: number,
    flags: number,
    bigWord: number,
    withdrawnFlags: number,
  ): void {
    if ((hi & INTERNAL) !== 0) {
      if (lo === INTERNAL_CANCEL_SLOT) return;
      if (this.#generation[lo] !== (hi & GENERATION_MASK) || this.#ops[lo] === undefined) return;
      if (this.#extra[lo] !== undefined) this.#completeSpecial(lo, res, flags);
      else if ((flags & IORING_CQE_F_MORE) === 0) this.#settle(lo, res);
      else this.#extra[lo] = { firstRes: res }; // a zero-copy send: its result now, its buffer released later
      return;
    }
    const userData = lo + hi * TWO_32;
    if ((flags & IORING_CQE_F_MORE) === 0) {
      this.#countLowCompletion(userData, res, withdrawnFlags);
      this.#releaseRef(userData);
    }
    const big = bigWord !== 0
      ? new BigUint64Array(this.#cq.buffer.slice(bigWord * 4, bigWord * 4 + 16))
      : undefined;
    if (this.#lowSink !== null) {
      this.#lowDelivered++;
      this.#lowSink(userData, res, flags);
      return;
    }
    const waiter = this.#lowWaiters.shift();
    if (waiter !== undefined) {
      waiter(big === undefined ? { userData, res, flags } : { userData, res, flags, big });
      return;
    }
    this.#pushLow(userData, res, flags, big);
  }

  /** Takes a low-level op's last completion off the in-flight count. */
  #countLowCompletion(userData: number, res: number, withdrawnFlags: number): void {
    let ended: number;
    if (this.#skip !== null) {
      ended = withdrawnFlags < 0
        ? this.#skip.completed(userData, res)
        : this.#skip.withdrawn(userData, withdrawnFlags);
    } else {
      ended = withdrawnFlags >= 0 && (withdrawnFlags & IOSQE_CQE_SKIP_SUCCESS) !== 0 ? 0 : 1;
    }
    this.#lowInflight = Math.max(0, this.#lowInflight - ended);
  }

  #settle(slot: number, res: number): void {
    const op = this.#ops[slot]!;
    const resolve = this.#resolve[slot]!;
    const reject = this.#reject[slot]!;
    const okErrno = this.#okErrno[slot];
    const extra = this.#extra[slot];
    this.#release(slot);
    if (extra !== undefined) {
      extra.signal?.removeEventListener("abort", extra.onAbort!);
      // The kernel has let go of the op's memory now. An op the cancel caught rejects with the signal's
      // reason; one that completed first reports its own result (the write happened, the fd is the caller's).
      if (extra.aborted && (res === -ECANCELED || res === -EINTR)) return reject(extra.signal!.reason);
      if (extra.timedOut && (res === -ECANCELED || res === -EINTR)) {
        return reject(
          new IoRingError(ETIMEDOUT, op.name, {
            ...op.target,
            detail: `timed out after ${extra.timeoutMs} ms`,
          }),
        );
      }
    }
    if (okErrno === RAW_RESULT) callBack(resolve, res, 0);
    else if (res >= 0 || -res === okErrno) resolve(res);
    else reject(new IoRingError(-res, op.name, op.target));
  }

  /** Completions of slots that do more than settle a promise: streams, link timeouts, abortable ops. */
  #completeSpecial(slot: number, res: number, flags: number): void {
    const extra = this.#extra[slot]!;
    if (extra.timeoutFor !== undefined) {
      // A link timeout's own CQE: -ETIME when it fired, -ECANCELED or -ENOENT when its op finished first.
      const target = extra.timeoutFor;
      this.#settle(slot, 0);
      const op = this.#extra[target];
      if (op === undefined) return;
      op.timeoutDone = true;
      // -EALREADY: it fired while the op ran where a cancel cannot stop it at once (io-wq, interrupted).
      op.timedOut = res === -ETIME || res === -EALREADY;
      if (op.pendingRes !== undefined) this.#settle(target, op.pendingRes);
      return;
    }
    if (extra.stream !== undefined) {
      callBack(extra.stream, res, flags);
      if ((flags & IORING_CQE_F_MORE) !== 0) return;
    } else if ((flags & IORING_CQE_F_MORE) !== 0) {
      extra.firstRes ??= res;
      return;
    } else if (extra.firstRes !== undefined && (flags & IORING_CQE_F_NOTIF) !== 0) {
      // The notification of a zero-copy send: the kernel let go of the buffer; the result came first.
      res = extra.firstRes;
    }
    if (extra.timeoutSlot !== undefined && !extra.timeoutDone) {
      extra.pendingRes = res; // settle once the link timeout's CQE says whether it fired
      return;
    }
    this.#settle(slot, res);
  }

  #pushLow(userData: number, res: number, flags: number, big: BigUint64Array | undefined): void {
    let capacity = this.#lowUserData.length;
    if (this.#lowCount === capacity) {
      const grow = <T extends Float64Array | Int32Array | Uint32Array>(old: T, next: T): T => {
        for (let i = 0; i < this.#lowCount; i++) next[i] = old[(this.#lowStart + i) % capacity];
        return next;
      };
      this.#lowUserData = grow(this.#lowUserData, new Float64Array(capacity * 2));
      this.#lowRes = grow(this.#lowRes, new Int32Array(capacity * 2));
      this.#lowFlags = grow(this.#lowFlags, new Uint32Array(capacity * 2));
      const bigs = this.#lowBig;
      this.#lowBig = Array.from({ length: this.#lowCount }, (_, i) => bigs[(this.#lowStart + i) % capacity]);
      this.#lowStart = 0;
      capacity *= 2;
    }
    const i = (this.#lowStart + this.#lowCount) % capacity;
    this.#lowUserData[i] = userData;
    this.#lowRes[i] = res;
    this.#lowFlags[i] = flags;
    if (big !== undefined || this.#lowBig.length > 0) this.#lowBig[i] = big;
    this.#lowCount++;
  }

  #shiftLow(): Cqe {
    const i = this.#lowStart;
    const cqe: Cqe = { userData: this.#lowUserData[i], res: this.#lowRes[i], flags: this.#lowFlags[i] };
    const big = this.#lowBig[i];
    if (big !== undefined) {
      cqe.big = big;
      this.#lowBig[i] = undefined;
    }
    this.#lowStart = (i + 1) % this.#lowUserData.length;
    this.#lowCount--;
    return cqe;
  }

  #holdRef(userData: number, op: Op): void {
    const held = this.#lowRefs.get(userData);
    if (held === undefined) this.#lowRefs.set(userData, op);
    else if (held instanceof SharedUserData) held.add(op);
    else this.#lowRefs.set(userData, new SharedUserData(held, op));
  }

  #releaseRef(userData: number): void {
    const held = this.#lowRefs.get(userData);
    if (held === undefined) return;
    if (!(held instanceof SharedUserData) || held.complete()) this.#lowRefs.delete(userData);
  }

  // ---- low-level API ---------------------------------------------------------

  /**
   * Queues (but does not submit) `op` with `userData`, a safe integer that its
   * completions carry back; when the SQ is full, what is already queued is
   * submitted first to make room. The ring holds `op`, and so the memory it
   * points the kernel at, until its last completion. Throws if the ring is
   * closed, or if this kernel's io_uring lacks the op's opcode. An op flagged IOSQE_CQE_SKIP_SUCCESS is not
   * counted in {@link IoRingCore.inflight}, so `close()` and `completions({ stopWhenIdle })` do not wait for
   * it, and the ring holds its memory until a completion with its `userData` arrives or, if none does, for
   * the life of the process; give it a `userData` no other op in flight shares, or the ring cannot tell
   * whose failure a completion is.
   * Matches `io_uring_get_sqe()` + `io_uring_prep_*()` + `io_uring_sqe_set_data64()` in liburing.
   *
   * @example
   * ```ts
   * import { IoRing, Nop } from "@ioring/ioring";
   * using ring = new IoRing();
   * const nop = new Nop();
   * for (let i = 0; i < 8; i++) ring.prepare(nop, i);
   * ring.submit();
   * let n = 0;
   * ring.forEachCompletion(() => n++);
   * console.log(n); // 8
   * ```
   */
  prepare(op: Op, userData: number): void {
    if (this.#closing !== null) throw closedError(op, "prepare");
    checkOp(op, "prepare");
    this.#checkSupported(op);
    let hi = 0;
    // typeof first: a BigInt in `>>>` would throw the engine's own TypeError.
    if (typeof userData !== "number" || (userData >>> 0) !== userData) {
      if (
        typeof userData !== "number" || !Number.isInteger(userData) || userData < 0 ||
        userData > MAX_USER_DATA
      ) {
        throw new RangeError(
          `Cannot prepare ${op.name}: userData must be an integer from 0 to 2^53-1: current value is ${
            describe(userData)
          }`,
        );
      }
      hi = Math.floor(userData / TWO_32);
    }
    const sqe = this.#nextSqe();
    op.prep(sqe);
    sqe.userData(userData >>> 0, hi);
    this.#index[TAIL]++;
    const sqeFlags = sqe.sqeFlags();
    const skip = (sqeFlags & IOSQE_CQE_SKIP_SUCCESS) !== 0;
    if (skip && this.#skip === null) this.#skip = new SkipAccounting(this.#lowInflight);
    if (this.#skip !== null) this.#skip.prepared(userData, sqeFlags, op.opcode === IORING_OP_LINK_TIMEOUT);
    if (!skip) this.#lowInflight++;
    if (op.holdsMemory !== false) this.#holdRef(userData, op);
    if (!this.#scheduled) this.#schedule();
  }

  /**
   * Delivers low-level completions to `callback` without allocating: first
   * those already copied out, then every CQE in the CQ (promise operations
   * among them settle as usual). Does not wait. Returns how many were delivered.
   * Matches `io_uring_for_each_cqe()` + `io_uring_cq_advance()` in liburing.
   */
  forEachCompletion(callback: CompletionCallback): number {
    if (typeof callback !== "function") {
      throw new TypeError("Cannot reap completions: callback must be a function");
    }
    let delivered = 0;
    while (this.#lowCount > 0) {
      const i = this.#lowStart;
      this.#lowStart = (i + 1) % this.#lowUserData.length;
      this.#lowCount--;
      callback(this.#lowUserData[i], this.#lowRes[i], this.#lowFlags[i]);
      delivered++;
    }
    if (this.#closed || this.#reaping) return delivered;
    if (this.#defer) this.#enter(0, IORING_ENTER_GETEVENTS);
    this.#lowSink = callback;
    this.#lowDelivered = 0;
    try {
      this.#reap();
    } finally {
      this.#lowSink = null;
    }
    delivered += this.#lowDelivered;
    if (this.#promiseInflight > 0 || this.#closing !== null) this.#schedule();
    return delivered;
  }

  /**
   * The low-level completions, in the order the kernel posted them, as an
   * async iterator. Waiting never blocks the event loop. The iteration ends
   * when the ring closes, or, with `stopWhenIdle`, when no low-level
   * operation is in flight. Completions of promise operations never appear here.
   *
   * @example
   * ```ts
   * import { IoRing, Nop } from "@ioring/ioring";
   * using ring = new IoRing();
   * for (let i = 0; i < 3; i++) ring.prepare(new Nop(), i);
   * for await (const cqe of ring.completions({ stopWhenIdle: true })) console.log(cqe.userData, cqe.res);
   * ```
   */
  completions(options: CompletionsOptions = {}): AsyncIterableIterator<Cqe> {
    const stopWhenIdle = options.stopWhenIdle === true;
    const next = (): Promise<IteratorResult<Cqe>> => {
      if (this.#lowCount > 0) return Promise.resolve({ value: this.#shiftLow(), done: false });
      if (this.#closed || (stopWhenIdle && this.#lowInflight === 0 && this.#lowWaiters.length === 0)) {
        return Promise.resolve({ value: undefined, done: true });
      }
      return new Promise((resolve) => {
        this.#lowWaiters.push((cqe) =>
          resolve(cqe === null ? { value: undefined, done: true } : { value: cqe, done: false })
        );
        this.#schedule();
      });
    };
    const iterator: AsyncIterableIterator<Cqe> = {
      next,
      return: (): Promise<IteratorResult<Cqe>> => Promise.resolve({ value: undefined, done: true }),
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  // ---- promise API -----------------------------------------------------------

  /**
   * Queues `op` and returns a promise of its result: `res` when it is >= 0
   * (bytes transferred, a new fd, ...), otherwise a rejection with
   * {@link IoRingError}. The ring holds `op` and its memory until then.
   *
   * @example
   * ```ts
   * import { IoRing, Nop } from "@ioring/ioring";
   * using ring = new IoRing();
   * console.log(await ring.run(new Nop())); // 0
   * ```
   */
  run(op: Op, options?: RunOptions): Promise<number> {
    if (op?.multishot === true) {
      return Promise.reject(
        new TypeError(`Cannot run ${op.name}: a multishot op posts many completions; use ring.multishot()`),
      );
    }
    return this.#start(op, 0, options);
  }

  /** Like {@link IoRingCore.run}, with `-okErrno` a result instead of a failure (a timeout's ETIME). */
  protected runAccepting(op: Op, okErrno: number, options?: RunOptions): Promise<number> {
    return this.#start(op, okErrno, options);
  }

  /**
   * Submits `ops` as one chain (IOSQE_IO_LINK, or IOSQE_IO_HARDLINK with
   * `hard`): each starts only after the one before it succeeded, and when one
   * fails the rest complete with ECANCELED. Resolves, once every op of the
   * chain has completed, with each op's outcome in order, as
   * `Promise.allSettled` would, so a broken chain raises no unhandled rejection.
   *
   * @example Write, then fsync, in order
   * ```ts
   * import { Fsync, IoRing, O_WRONLY, Write } from "@ioring/ioring";
   * using ring = new IoRing();
   * const fd = await ring.openat(Deno.makeTempFileSync(), { flags: O_WRONLY });
   * const [write, sync] = await ring.link([new Write(fd, new Uint8Array(4), 0), new Fsync(fd)]);
   * console.log(write.status, sync.status); // fulfilled fulfilled
   * ```
   */
  link(ops: readonly Op[], options: LinkOptions = {}): Promise<LinkResult[]> {
    if (!Array.isArray(ops) || ops.length === 0) {
      return Promise.reject(new TypeError("Cannot link: ops must be a non-empty array"));
    }
    if (this.#closing !== null) return Promise.reject(closedError("link"));
    try {
      for (const op of ops) {
        checkOp(op, "link");
        this.#checkSupported(op);
      }
      this.#ensureRoom(ops.length);
    } catch (error) {
      return Promise.reject(error);
    }
    const flag = options.hard === true ? IOSQE_IO_HARDLINK : IOSQE_IO_LINK;
    const promises: Promise<number>[] = [];
    for (let i = 0; i < ops.length; i++) {
      const tail = this.#index[TAIL];
      promises.push(this.#start(ops[i], 0, undefined, i < ops.length - 1 ? flag : 0));
      if (this.#index[TAIL] !== tail) continue;
      // Refused before it reached the SQ: the chain ends at the op before it, whose link flag would
      // otherwise tie it to whatever SQE comes next; the rest fail as the kernel would fail them.
      if (i > 0) this.#sqe.select((tail - 1) & this.#sqMask).clearFlags(IOSQE_IO_LINK | IOSQE_IO_HARDLINK);
      for (let j = i + 1; j < ops.length; j++) {
        promises.push(
          Promise.reject(
            new IoRingError(ECANCELED, ops[j].name, {
              ...ops[j].target,
              detail: "an earlier op of the chain was refused",
            }),
          ),
        );
      }
      break;
    }
    return Promise.allSettled(promises);
  }

  /**
   * Runs a multishot operation (accept, recv, poll or timeout with their
   * MULTI flag, read multishot) as an async iterator of its completions. It
   * follows IORING_CQE_F_MORE, ends when the kernel posts the last CQE (an
   * error there is thrown), submits the op again with `rearm` when the kernel
   * ends it with a positive result (it may stop a multishot, e.g. when the CQ
   * is full; 0, end of stream, ends the loop), and cancels it when the loop breaks.
   *
   * @example Three ticks of a multishot timeout
   * ```ts
   * import { IoRing, IORING_TIMEOUT_MULTISHOT, Timeout } from "@ioring/ioring";
   * using ring = new IoRing();
   * for await (const cqe of ring.multishot(new Timeout(5, { count: 3, flags: IORING_TIMEOUT_MULTISHOT }))) {
   *   console.log(cqe.res); // -62 (ETIME) each tick
   * }
   * ```
   */
  multishot(op: Op, options: MultishotOptions = {}): AsyncIterableIterator<MultishotCqe> {
    checkOp(op, "run a multishot op");
    if (options === null || typeof options !== "object") {
      throw new TypeError(
        `Cannot run ${op.name} as a multishot op: options must be an object: current value is ${
          describe(options)
        }`,
      );
    }
    const queue: MultishotCqe[] = [];
    let waiting: ((result: IteratorResult<MultishotCqe>) => void) | null = null;
    let failing: ((error: unknown) => void) | null = null;
    let error: unknown = null;
    let ended = false;
    let stopped = false;
    const controller = new AbortController();
    const stop = () => {
      if (stopped) return;
      stopped = true;
      controller.abort();
    };
    options.signal?.addEventListener("abort", stop, { once: true });
    // A dropped completion's new fd would reach no one: without onDrop, the ring closes it.
    const drop = options.onDrop ??
      (op.resultIsFd === true
        ? (cqe: MultishotCqe) => void (cqe.res >= 0 && this.#native.close(cqe.res))
        : null);
    const push = (cqe: MultishotCqe) => {
      if (stopped) {
        drop?.(cqe);
        return;
      }
      if (waiting !== null) {
        const w = waiting;
        waiting = failing = null;
        w({ value: cqe, done: false });
      } else {
        queue.push(cqe);
      }
    };
    const finish = (failure: unknown) => {
      ended = true;
      options.signal?.removeEventListener("abort", stop);
      if (failure !== null && !stopped) error = failure;
      if (waiting !== null) {
        const w = waiting, f = failing!;
        waiting = failing = null;
        if (error !== null) f(error);
        else w({ value: undefined, done: true });
      }
    };
    // A timeout's ticks are -ETIME, the last one included: results, not failures.
    const okErrno = op.opcode === IORING_OP_TIMEOUT ? ETIME : 0;
    const arm = () => {
      this.#start(op, okErrno, { signal: controller.signal }, 0, (res, flags) => {
        if ((flags & IORING_CQE_F_MORE) !== 0 || res >= 0 || -res === okErrno) push({ res, flags });
      }).then(
        // 0 ends a stream (a recv or read at EOF): only a positive final result is worth re-arming for.
        (res) => (options.rearm === true && !stopped && res > 0 && !this.closed ? arm() : finish(null)),
        (e) => finish(e),
      );
    };
    if (options.signal?.aborted) stopped = ended = true;
    else arm();
    const iterator: AsyncIterableIterator<MultishotCqe> = {
      next: () => {
        if (queue.length > 0) return Promise.resolve({ value: queue.shift()!, done: false });
        if (error !== null) {
          const e = error;
          error = null;
          return Promise.reject(e);
        }
        if (ended || stopped) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => {
          waiting = resolve;
          failing = reject;
        });
      },
      return: () => {
        stop();
        for (const cqe of queue.splice(0)) drop?.(cqe);
        if (waiting !== null) {
          const w = waiting;
          waiting = failing = null;
          w({ value: undefined, done: true });
        }
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /**
   * Runs a multishot operation with a callback instead of an iterator:
   * `onCqe(res, flags)` is called synchronously for every completion, the
   * last one (without IORING_CQE_F_MORE) included, and also after a
   * cancellation, so that each provided buffer a completion carries is seen
   * and can be recycled. Resolves with the last result, or rejects with
   * {@link IoRingError} (or `signal`'s reason) once `onCqe` has seen the last
   * completion. No promise or allocation per completion: this is what a
   * protocol's receive loop is built on. If `onCqe` throws, the error is
   * reported as uncaught and the stream goes on to its end.
   *
   * @example A multishot timeout's ticks
   * ```ts
   * import { IoRing, IORING_TIMEOUT_MULTISHOT, Timeout } from "@ioring/ioring";
   * using ring = new IoRing();
   * let ticks = 0;
   * await ring.stream(new Timeout(5, { count: 3, flags: IORING_TIMEOUT_MULTISHOT }), () => ticks++)
   *   .catch(() => {}); // the last tick is -ETIME
   * console.log(ticks); // 3
   * ```
   */
  stream(op: Op, onCqe: (res: number, flags: number) => void, options?: RunOptions): Promise<number> {
    if (typeof onCqe !== "function") {
      return Promise.reject(
        new TypeError(
          `Cannot stream ${op?.name}: onCqe must be a function: current value is ${typeof onCqe}`,
        ),
      );
    }
    return this.#start(op, 0, options, 0, onCqe);
  }

  /**
   * Queues `op` and calls `onResult` once with its result: `res` >= 0 on
   * success, `-errno` on failure (`new IoRingError(-res, op.name)` names it),
   * `-ECANCELED` when the ring closes first. No promise and no allocation of
   * its own: for request paths where a promise per operation is the cost
   * that matters. The ring holds `op`, and so its memory, until then. Bad
   * input and a closed ring throw at once. If `onResult` throws, the error
   * is reported as uncaught and the other completions are still delivered.
   *
   * @example Reading with a callback
   * ```ts
   * import { IoRing, Read } from "@ioring/ioring";
   * await using ring = new IoRing();
   * const fd = await ring.openat("/etc/hostname");
   * const buffer = new Uint8Array(256);
   * const n = await new Promise<number>((done) => ring.start(new Read(fd, buffer, 0), done));
   * console.log(n > 0); // true (a negative n would be -errno)
   * await ring.close(fd);
   * ```
   */
  start(op: Op, onResult: (res: number) => void): void {
    if (this.#closing !== null) throw closedError(op, "start");
    checkOp(op, "start");
    if (typeof onResult !== "function") {
      throw new TypeError(
        `Cannot start ${op.name}: onResult must be a function: current value is ${typeof onResult}`,
      );
    }
    if (op.multishot === true) {
      throw new TypeError(
        `Cannot start ${op.name}: a multishot op posts many completions; use ring.stream()`,
      );
    }
    this.#checkSupported(op);
    this.#ensureRoom(1);
    this.#resolve[this.#queue(op, RAW_RESULT, 0)] = onResult;
    this.#schedule();
  }

  /**
   * Cancels every operation in flight on `fd` (IORING_ASYNC_CANCEL_FD |
   * IORING_ASYNC_CANCEL_ALL, 5.19); resolves with how many were cancelled.
   * Each cancelled operation settles on its own, usually with ECANCELED.
   */
  cancelFd(fd: number | FixedFile): Promise<number> {
    let target: { fd: number; flags: number };
    try {
      target = cancelTarget(fd, false);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#start(cancelOp(target.fd, target.flags), ENOENT).then((res) => Math.max(res, 0));
  }

  /**
   * Cancels every operation in flight on the ring (IORING_ASYNC_CANCEL_ANY |
   * IORING_ASYNC_CANCEL_ALL, 5.19); resolves with how many were cancelled.
   */
  cancelAll(): Promise<number> {
    const { fd, flags } = cancelTarget("all", true);
    return this.#start(cancelOp(fd, flags), ENOENT).then((res) => Math.max(res, 0));
  }

  #start(op: Op, okErrno: number, options?: RunOptions, sqeFlags = 0, stream?: StreamSink): Promise<number> {
    if (this.#closing !== null) return Promise.reject(closedError(op));
    const signal = options?.signal;
    const timeout = options?.timeout;
    try {
      checkOp(op, "run");
      if (options !== undefined && (options === null || typeof options !== "object")) {
        throw new TypeError(
          `Cannot ${op.name}: options must be an object: current value is ${describe(options)}`,
        );
      }
      if (signal !== undefined) {
        if (typeof signal?.addEventListener !== "function") {
          throw new TypeError(`Cannot ${op.name}: signal must be an AbortSignal`);
        }
        if (signal.aborted) return Promise.reject(signal.reason);
      }
      this.#checkSupported(op);
      const timespec = timeout === undefined ? undefined : encodeTimespec(timeout, op.name);
      this.#ensureRoom(timespec === undefined ? 1 : 2);
      const slot = this.#queue(op, okErrno, sqeFlags);
      const promise = new Promise<number>((resolve, reject) => {
        this.#resolve[slot] = resolve;
        this.#reject[slot] = reject;
      });
      if (signal !== undefined || timespec !== undefined || stream !== undefined) {
        const extra: SlotExtra = { stream };
        this.#extra[slot] = extra;
        if (signal !== undefined) {
          extra.signal = signal;
          extra.onAbort = () => this.#abort(slot);
          signal.addEventListener("abort", extra.onAbort, { once: true });
        }
        if (timespec !== undefined) {
          this.#sqe.select((this.#index[TAIL] - 1) & this.#sqMask).flags(IOSQE_IO_LINK);
          extra.timeoutMs = timeSpecMs(timeout!);
          const timer = this.#claim(linkTimeoutOp(timespec), 0);
          this.#extra[timer.slot] = { timeoutFor: slot };
          extra.timeoutSlot = timer.slot;
          const t = this.#sqe.select(this.#index[TAIL] & this.#sqMask);
          this.#ops[timer.slot]!.prep(t);
          t.userData(timer.slot, (INTERNAL | this.#generation[timer.slot]) >>> 0);
          this.#index[TAIL]++;
          timer.promise.catch(() => {});
        }
      }
      this.#schedule();
      return promise;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Takes a slot for a promise operation. */
  #claim(op: Op, okErrno: number): { slot: number; promise: Promise<number> } {
    const slot = this.#claimSlot(op, okErrno);
    const promise = new Promise<number>((resolve, reject) => {
      this.#resolve[slot] = resolve;
      this.#reject[slot] = reject;
    });
    return { slot, promise };
  }

  /** Takes a slot; its resolve and reject are the caller's to fill in. */
  #claimSlot(op: Op, okErrno: number): number {
    let slot = this.#free.pop();
    if (slot === undefined) {
      slot = this.#ops.length;
      this.#generation.push(0);
      this.#okErrno.push(0);
      this.#ops.push(undefined);
      this.#resolve.push(undefined);
      this.#reject.push(undefined);
      this.#extra.push(undefined);
    }
    this.#generation[slot] = (this.#generation[slot] + 1) & GENERATION_MASK;
    this.#ops[slot] = op;
    this.#okErrno[slot] = okErrno;
    this.#promiseInflight++;
    return slot;
  }

  /**
   * Writes `op` into the next SQE (room and the probe check are the caller's) under a new slot, and returns the slot;
   * its resolve and reject are the caller's to fill in. A refused op gives its slot back and queues nothing.
   */
  #queue(op: Op, okErrno: number, sqeFlags: number): number {
    this.#skip?.endChain();
    const slot = this.#claimSlot(op, okErrno);
    const sqe = this.#sqe.select(this.#index[TAIL] & this.#sqMask);
    try {
      op.prep(sqe);
      if ((sqe.sqeFlags() & IOSQE_CQE_SKIP_SUCCESS) !== 0) {
        throw new TypeError(
          `Cannot ${op.name}: IOSQE_CQE_SKIP_SUCCESS leaves ${
            okErrno === RAW_RESULT ? "no result to call back with" : "a promise nothing to settle on"
          }; use ring.prepare()`,
        );
      }
    } catch (error) {
      // The SQE was never queued: the slot goes back, or close() would wait for it forever.
      this.#release(slot);
      throw error;
    }
    if (sqeFlags !== 0) sqe.flags(sqeFlags);
    sqe.userData(slot, (INTERNAL | this.#generation[slot]) >>> 0);
    this.#index[TAIL]++;
    return slot;
  }

  /** Gives back a slot: its op settled, or its SQE was never queued. */
  #release(slot: number): void {
    this.#ops[slot] =
      this.#resolve[slot] =
      this.#reject[slot] =
      this.#extra[slot] =
        undefined;
    this.#free.push(slot);
    this.#promiseInflight--;
  }

  /** Makes room for `count` SQEs in one batch (a link chain must not be split across submissions). */
  #ensureRoom(count: number): void {
    if (count > this.sqEntries) {
      throw new RangeError(`Cannot queue ${count} linked SQEs: the SQ has ${this.sqEntries} entries`);
    }
    for (
      let attempt = 0;
      ((this.#index[TAIL] - this.#index[KNOWN_HEAD]) >>> 0) + count > this.sqEntries;
      attempt++
    ) {
      this.#index[KNOWN_HEAD] = Atomics.load(this.#sq, this.#sqHead);
      if (((this.#index[TAIL] - this.#index[KNOWN_HEAD]) >>> 0) + count <= this.sqEntries) return;
      if (attempt > 0 && attempt > 64) {
        throw new IoRingError(EBUSY, "io_uring_enter", {
          fd: this.fd,
          detail: "the submission queue stayed full",
        });
      }
      this.#makeRoom();
    }
  }

  /** Asks the kernel to cancel the operation in `slot`; its promise rejects with the signal's reason once it completes. */
  #abort(slot: number): void {
    const extra = this.#extra[slot];
    if (extra === undefined || this.#closed) return;
    extra.aborted = true;
    this.#queueCancel(slot, (INTERNAL | this.#generation[slot]) >>> 0, 0, 0);
  }

  /** Queues an internal ASYNC_CANCEL whose own completion is ignored. */
  #queueCancel(lo: number, hi: number, fd: number, flags: number): void {
    this.#ensureRoom(1);
    const sqe = this.#sqe.select(this.#index[TAIL] & this.#sqMask);
    sqe.prepRw(IORING_OP_ASYNC_CANCEL, fd, 0, 0, 0).opFlags(flags);
    sqe.u32[sqe.w + 4] = lo; // addr: the user_data to match
    sqe.u32[sqe.w + 5] = hi;
    sqe.userData(INTERNAL_CANCEL_SLOT, INTERNAL >>> 0);
    this.#index[TAIL]++;
    this.#schedule();
  }

  /** Throws if this kernel's io_uring lacks the op's opcode. */
  #checkSupported(op: Op): void {
    const probe = this.#probe;
    if (probe === null || (probe[op.opcode] ?? 0) !== 0) return;
    throw new IoRingError(EOPNOTSUPP, op.name, {
      detail: `${opcodeName(op.opcode)} needs Linux ${op.since} or later; this kernel's io_uring lacks it`,
    });
  }

  /**
   * Posts a message CQE on another ring without a ring of one's own (IORING_REGISTER_SEND_MSG_RING on fd -1,
   * 6.13): `op` is a {@link MsgRing} data message; the target ring gets its CQE before this returns, and no
   * completion is posted anywhere else. Returns the kernel's result (0). Matches
   * `io_uring_register_sync_msg()` in liburing.
   *
   * @example
   * ```ts
   * import { IoRing, MsgRing } from "@ioring/ioring";
   * using target = new IoRing();
   * IoRing.registerSyncMsg(new MsgRing(target.fd, 42, 7));
   * target.forEachCompletion((userData, res) => console.log(userData, res)); // 42 7
   * ```
   */
  static registerSyncMsg(op: Op): number {
    if ("error" in loaded) throw loaded.error;
    checkOp(op, "send a message with IORING_REGISTER_SEND_MSG_RING");
    if (op.opcode !== IORING_OP_MSG_RING) {
      throw new TypeError(
        `Cannot send a message with IORING_REGISTER_SEND_MSG_RING: op must be a MsgRing data message: current value is ${op.name}`,
      );
    }
    const sqe = new SqeWriter(new ArrayBuffer(64), 64).select(0);
    op.prep(sqe);
    const ret = loaded.native.register(0xffffffff, IORING_REGISTER_SEND_MSG_RING, sqe.u8, 1);
    if (ret < 0) {
      throw new IoRingError(-ret, "io_uring_register", { detail: "IORING_REGISTER_SEND_MSG_RING" });
    }
    return ret;
  }

  // ---- lifecycle ---------------------------------------------------------------

  /**
   * io_uring_register(2) on this ring, for registrations this library has no method for: returns the
   * kernel's non-negative result or throws an {@link IoRingError} naming `name`. Unsafe in the way of
   * the raw syscall: pointers inside `arg` must stay valid as long as the kernel uses them.
   *
   * @example
   * ```ts
   * import { IoRing, IORING_REGISTER_PERSONALITY } from "@ioring/ioring";
   * using ring = new IoRing();
   * console.log(ring.registerRaw(IORING_REGISTER_PERSONALITY, "IORING_REGISTER_PERSONALITY", null, 0) > 0); // true
   * ```
   */
  registerRaw(opcode: number, name: string, arg: ArrayBufferView | null, nrArgs: number): number {
    const what = `register ${typeof name === "string" ? name : "with io_uring_register"}`;
    checkInt(opcode, what, "opcode", 0, 0xffffffff, "an integer from 0 to 2^32-1");
    checkInt(nrArgs, what, "nrArgs", 0, 0xffffffff, "an integer from 0 to 2^32-1");
    if (arg !== null && !ArrayBuffer.isView(arg)) {
      throw new TypeError(
        `Cannot ${what}: arg must be a typed array, DataView or null: current value is ${describe(arg)}`,
      );
    }
    if (arg !== null) checkBacking(arg.buffer, what, "arg");
    return this.register(opcode, name, arg, nrArgs);
  }

  /**
   * Maps a region of the ring's memory that the kernel allocated (`mmap` of the ring fd at `offset`,
   * e.g. IORING_OFF_PBUF_RING for a buffer ring made with IOU_PBUF_RING_MMAP). The mapping lives as
   * long as the ring.
   *
   * @example
   * ```ts ignore
   * // `+` and `*`, not `|` and `<<`: the offset is above 2^31, beyond JavaScript's 32-bit bit operators.
   * const memory = ring.mapRing(IORING_OFF_PBUF_RING + group * 2 ** IORING_OFF_PBUF_SHIFT, 16 * entries);
   * ```
   */
  mapRing(offset: number, length: number): ArrayBuffer {
    if (this.#closing !== null) throw closedError("mmap");
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length <= 0) {
      throw new RangeError(
        `Cannot map the ring: offset must be >= 0 and length > 0: current values are ${offset} and ${length}`,
      );
    }
    return this.#map(length, offset);
  }

  /** io_uring_register(2): the kernel's result, or an {@link IoRingError} naming the register opcode. */
  protected register(opcode: number, name: string, arg: ArrayBufferView | null, nrArgs: number): number {
    if (this.#closing !== null) throw closedError("io_uring_register");
    const ret = this.#native.register(this.fd, opcode, arg, nrArgs);
    if (ret >= 0) return ret;
    const detail = -ret === ENOMEM
      ? `${name}: RLIMIT_MEMLOCK is too low for this registration (raise it with \`ulimit -l\`, or in limits.conf)`
      : name;
    throw new IoRingError(-ret, "io_uring_register", { fd: this.fd, detail });
  }

  /**
   * Starts a ring created with `rDisabled` (IORING_REGISTER_ENABLE_RINGS, 5.10).
   */
  enable(): void {
    if ((this.flags & IORING_SETUP_R_DISABLED) === 0) return;
    const ret = this.#native.register(this.fd, IORING_REGISTER_ENABLE_RINGS, null, 0);
    if (ret < 0) {
      throw new IoRingError(-ret, "io_uring_register", {
        fd: this.fd,
        detail: "IORING_REGISTER_ENABLE_RINGS",
      });
    }
  }

  /**
   * Closes the ring. Queued SQEs that never reached the kernel fail with
   * ECANCELED at once; operations in flight are cancelled and each settles
   * with its completion (usually ECANCELED), and only then are the ring's
   * memory unmapped and its fd closed, so no buffer is let go while the
   * kernel may still write to it. Idempotent; resolves when all is done.
   * Matches `io_uring_queue_exit()` in liburing.
   */
  close(): Promise<void> {
    if (this.#closing !== null) return this.#closing;
    // The waiter must see the rest of this ring's completions, so it gets the eventfd slot back.
    if (this.#userEventfd >= 0) this.unregisterEventfd();
    this.#closing = new Promise<void>((resolve) => (this.#finishClose = resolve));
    if (this.queued > 0 && !this.#sqpoll) this.#failQueued(ECANCELED);
    for (const waiter of this.#lowWaiters.splice(0)) waiter(null);
    if (this.inflight === 0) {
      this.#teardown();
    } else {
      const sqe = this.#nextSqe();
      sqe.prepRw(IORING_OP_ASYNC_CANCEL, -1, 0, 0, 0).opFlags(
        IORING_ASYNC_CANCEL_ANY | IORING_ASYNC_CANCEL_ALL,
      );
      sqe.userData(INTERNAL_CANCEL_SLOT, INTERNAL >>> 0);
      this.#index[TAIL]++;
      this.#submit();
      this.#reap();
      this.#afterReap();
    }
    return this.#closing;
  }

  #teardown(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#iopollTimer !== undefined) clearTimeout(this.#iopollTimer);
    // A skip-flagged op that succeeded said nothing, and one still running when the ring closed may write
    // for a while after: its memory is kept for the life of the process.
    if (this.#skip !== null) { for (const held of this.#lowRefs.values()) HELD_AFTER_CLOSE.add(held); }
    this.#lowRefs.clear();
    this.#unregisterRingFd();
    this.#unmap();
    this.#native.close(this.fd);
    this.#notifier.delete(this);
    for (const waiter of this.#lowWaiters.splice(0)) waiter(null);
    this.#finishClose?.();
  }

  /** Closes the ring (see {@link IoRingCore.close}) without waiting. */
  [Symbol.dispose](): void {
    void this.close();
  }

  /** Closes the ring and waits until the kernel has let go of everything. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function setupError(native: Native, errno: number, entries: number, params: Uint8Array): IoRingError {
  const flags = new DataView(params.buffer).getUint32(PARAMS.flags, true);
  const names = setupFlagNames(flags);
  // Find the flag the kernel refuses: the one whose removal (with the flags that depend on it) lets setup
  // succeed. Higher bits first, so that a dependent flag (SQ_AFF) is blamed before the flag it needs (SQPOLL).
  for (const [bit, name] of setupFlagBits(flags).reverse()) {
    const trial = new Uint8Array(params);
    const without = flags & ~bit & ~(SETUP_DEPENDENTS.get(bit) ?? 0);
    new DataView(trial.buffer).setUint32(PARAMS.flags, without >>> 0, true);
    const fd = native.setup(entries, trial);
    if (fd >= 0) {
      native.close(fd);
      return new IoRingError(errno, "io_uring_setup", { detail: `the kernel refused ${name}` });
    }
  }
  const detail = names.length > 0 ? `with ${names.join(" | ")}` : `with ${entries} entries`;
  return new IoRingError(errno, "io_uring_setup", { detail });
}
