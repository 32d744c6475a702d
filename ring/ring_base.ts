/**
 * {@link RingBase}: a ring set up over its driver (`ring/driver.ts`), with what it is (fd, sizes, flags,
 * counters), submitting and reaping by hand, the caller's eventfd, registration, and closing. The low-level
 * API ({@link LowLevelRing}) and the promise API ({@link IoRingCore}) build on it.
 *
 * @module
 */
import { nativeLayer } from "../ffi/native.ts";
import { EOPNOTSUPP } from "../kernel/errno.ts";
import { checkBacking } from "../memory/buffers.ts";
import type { Op } from "../sqe/op.ts";
import { checkInt, describe } from "../util/checks.ts";
import { IoRingError } from "../util/error.ts";
import { closedError, opcodeName } from "./_support.ts";
import { RingDriver } from "./driver.ts";
import { readProbe } from "./mapping.ts";
import { sharedNotifier } from "./notifier.ts";
import type { IoRingOptions } from "./params.ts";
import {
  enableRing,
  register,
  registerCallerEventfd,
  sendMsgRing,
  unregisterCallerEventfd,
} from "./registration.ts";
import type { ProbeResult } from "./types.ts";

let driverOf: (ring: RingBase) => RingDriver;

/**
 * The ring under {@link IoRing}: setup, what the kernel chose, the counters and flags of the mapped rings,
 * the caller's eventfd, registration and closing. Use {@link IoRing}.
 *
 * @example
 * ```ts
 * import { IoRing } from "@ioring/ioring";
 * using ring = new IoRing();
 * console.log(ring.sqEntries, ring.closed); // 128 false
 * ```
 */
export class RingBase implements Disposable, AsyncDisposable {
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
  readonly #driver: RingDriver;

  /**
   * Sets up a ring. Invalid options throw `TypeError`/`RangeError` before any
   * system call; a kernel refusal throws {@link IoRingError} naming the flag.
   */
  constructor(options: IoRingOptions = {}) {
    const native = nativeLayer();
    this.#driver = new RingDriver(native, sharedNotifier(native), options);
    const mapping = this.#driver.mapping;
    this.fd = mapping.fd;
    this.sqEntries = mapping.sqEntries;
    this.cqEntries = mapping.cqEntries;
    this.flags = mapping.flags;
    this.features = mapping.features;
    this.nativePath = native.path;
  }

  /**
   * Which opcodes this kernel's io_uring supports (IORING_REGISTER_PROBE).
   * Operations whose opcode is missing are refused at call time with an
   * error naming the opcode and the Linux version that introduced it.
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * import { IORING_OP_READ } from "@ioring/ioring/constants";
   * using ring = new IoRing();
   * console.log(ring.probe().supported.has(IORING_OP_READ)); // true
   * ```
   */
  probe(): ProbeResult {
    const supported = new Set<number>();
    const probe = this.#driver.probe ?? readProbe(this.#driver.native, this.fd);
    if (probe === null) {
      throw new IoRingError(EOPNOTSUPP, "io_uring_register", {
        fd: this.fd,
        detail: "IORING_REGISTER_PROBE",
      });
    }
    probe.forEach((on, opcode) => on !== 0 && supported.add(opcode));
    return { lastOp: Math.max(...supported), supported, names: [...supported].map(opcodeName) };
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#driver.closing !== null;
  }

  /**
   * Operations submitted or queued whose last completion has not arrived. A low-level op flagged
   * IOSQE_CQE_SKIP_SUCCESS is not counted, since it posts nothing when it succeeds; when it fails, its
   * completion is delivered and, in an IOSQE_IO_LINK chain, the ops after it leave the count, as the kernel
   * cancels them without a completion.
   */
  get inflight(): number {
    return this.#driver.inflight;
  }

  /**
   * For the completion waiter (`ring/notifier.ts`): completions are expected, from this
   * ring's operations or, while an iterator waits, from other rings (MSG_RING).
   */
  get awaitingCompletions(): boolean {
    return this.#driver.awaitingCompletions;
  }

  /** SQEs written but not yet handed to the kernel. */
  get queued(): number {
    return this.#driver.sq.queued;
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
    if (this.#driver.closed) throw closedError("cqOverflow");
    return this.#driver.cq.overflow;
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
    if (this.#driver.closed) throw closedError("sqDropped");
    return this.#driver.sq.dropped;
  }

  /**
   * The SQ ring's `IORING_SQ_*` flags as the kernel last set them: NEED_WAKEUP (the SQPOLL thread sleeps),
   * CQ_OVERFLOW (completions wait in the kernel for room in the CQ), TASKRUN (completion work waits for an
   * io_uring_enter). Matches `*ring->sq.kflags` in liburing.
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * import { IORING_SQ_CQ_OVERFLOW } from "@ioring/ioring/constants";
   * using ring = new IoRing();
   * console.log((ring.sqFlags & IORING_SQ_CQ_OVERFLOW) !== 0); // false
   * ```
   */
  get sqFlags(): number {
    if (this.#driver.closed) throw closedError("sqFlags");
    return this.#driver.sq.flags;
  }

  // ---- eventfd -----------------------------------------------------------------

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
    registerCallerEventfd(this.#driver, fd, options.async === true);
  }

  /** Gives the eventfd slot back to the ring's own waiter (IORING_UNREGISTER_EVENTFD). */
  unregisterEventfd(): void {
    unregisterCallerEventfd(this.#driver);
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
    if (this.#driver.closed) throw closedError("eventfdEnabled");
    return this.#driver.cq.eventfdEnabled;
  }

  /**
   * Stops (or restarts) signals to the caller's registered eventfd without unregistering it, by
   * IORING_CQ_EVENTFD_DISABLED in the CQ ring's flags (5.8). Only for the caller's eventfd: the ring's own
   * waiter needs its signals.
   */
  setEventfdEnabled(enabled: boolean): void {
    const driver = this.#driver;
    if (driver.closed) throw closedError("setEventfdEnabled"); // the CQ ring's flags are unmapped
    if (driver.userEventfd < 0 && !enabled) {
      throw new TypeError(
        "Cannot disable eventfd signals: no eventfd of yours is registered (the ring's waiter needs them)",
      );
    }
    driver.cq.eventfdEnabled = enabled;
  }

  /**
   * Delivers what the kernel has completed (promise operations settle; low-level completions go to
   * `completions()` and `forEachCompletion()`), runs deferred completion work if the ring needs it, and
   * submits anything queued. The ring does this by itself unless the caller's eventfd is registered.
   */
  reap(): void {
    if (this.#driver.closed) return;
    this.#driver.submit();
    this.#driver.service();
  }

  /** For the completion waiter: runs deferred completion work if needed, reaps, resubmits a backlog. */
  service(): void {
    this.#driver.service();
  }

  /**
   * Hands every queued SQE to the kernel with one `io_uring_enter` (with
   * SQPOLL, publishes the tail and wakes the thread only if it sleeps).
   * Returns the number of SQEs the kernel took. Queued operations are also
   * submitted on a microtask, so calling this is only needed to submit
   * earlier than that. Matches `io_uring_submit()` in liburing.
   */
  submit(): number {
    if (this.#driver.closed) return 0;
    return this.#driver.submit();
  }

  // ---- registration and lifecycle ------------------------------------------------

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
    return sendMsgRing(nativeLayer(), op);
  }

  /**
   * io_uring_register(2) on this ring, for registrations this library has no method for: returns the
   * kernel's non-negative result or throws an {@link IoRingError} naming `name`. Unsafe in the way of
   * the raw syscall: pointers inside `arg` must stay valid as long as the kernel uses them.
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * import { IORING_REGISTER_PERSONALITY } from "@ioring/ioring/constants";
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
    if (this.#driver.closing !== null) throw closedError("mmap");
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length <= 0) {
      throw new RangeError(
        `Cannot map the ring: offset must be >= 0 and length > 0: current values are ${offset} and ${length}`,
      );
    }
    return this.#driver.mapping.map(length, offset);
  }

  /** io_uring_register(2): the kernel's result, or an {@link IoRingError} naming the register opcode. */
  protected register(opcode: number, name: string, arg: ArrayBufferView | null, nrArgs: number): number {
    return register(this.#driver, opcode, name, arg, nrArgs);
  }

  /**
   * Starts a ring created with `rDisabled` (IORING_REGISTER_ENABLE_RINGS, 5.10).
   */
  enable(): void {
    enableRing(this.#driver);
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
    const driver = this.#driver;
    if (driver.closing !== null) return driver.closing;
    // The waiter must see the rest of this ring's completions, so it gets the eventfd slot back.
    if (driver.userEventfd >= 0) this.unregisterEventfd();
    return driver.close();
  }

  /** Closes the ring (see {@link IoRingCore.close}) without waiting. */
  [Symbol.dispose](): void {
    void this.close();
  }

  /** Closes the ring and waits until the kernel has let go of everything. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  static {
    driverOf = (ring) => ring.#driver;
  }
}

/** The driver of a ring, for the API layers built on {@link RingBase}. */
export function ringDriver(ring: RingBase): RingDriver {
  return driverOf(ring);
}
