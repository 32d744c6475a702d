/**
 * How completions are awaited without blocking the event loop.
 *
 * The choice. The JavaScript thread must never block in `io_uring_enter`, and
 * must not spin. Something else has to sleep until the kernel posts a
 * completion and then wake the JavaScript thread. Both runtimes can block a
 * thread of their own in a C call: Deno through a `nonblocking` FFI call
 * (its blocking thread pool settles a promise), Bun through a Worker that
 * makes a plain FFI call and posts a message. Either costs a cross-thread
 * wake-up (about 20 µs unpinned on a 2-vCPU VM), so it is paid once per
 * *wait*, never per operation:
 *
 * 1. After each batch is submitted, the CQ is reaped at once. Operations that
 *    complete inline (NOPs, page-cached reads, writes to a pipe with room)
 *    settle in the same tick with no wake-up at all.
 * 2. Only when operations are still in flight and the CQ is empty is a wait
 *    armed, and only one per JavaScript thread, whatever the number of rings.
 *
 * What the waiter sleeps on. One eventfd per JavaScript thread, registered
 * with every ring (IORING_REGISTER_EVENTFD), is polled for readability. An
 * eventfd, not the ring fd and not `io_uring_enter(GETEVENTS)` in the waiter,
 * because it is the one signal that also covers IORING_SETUP_DEFER_TASKRUN:
 * there, completion work is queued for the submitting thread and the kernel
 * signals the eventfd (not the ring's poll queue) when it queues it; the
 * JavaScript thread then runs it with `io_uring_enter(GETEVENTS)`, as
 * DEFER_TASKRUN requires. SINGLE_ISSUER is fine too: the waiter never
 * submits. The JavaScript thread drains the eventfd before its last look at
 * the CQ, so a completion that lands in between is never missed.
 *
 * What it cannot use. IORING_SETUP_COOP_TASKRUN alone: completion work then
 * waits for the JavaScript thread's next entry into the kernel, with no
 * signal at all, so `new IoRing()` refuses it unless DEFER_TASKRUN comes with it
 * (the kernel itself refuses it with SQPOLL). IORING_SETUP_IOPOLL:
 * its completions exist only when someone polls the device, so such a ring
 * polls from a timer while operations are in flight, which is the busy
 * polling its user asked for.
 *
 * Exit. When nothing is in flight the waiter is released (Deno: the eventfd is
 * written so the pending call returns; Bun: the Worker is unref'd), so the
 * process exits on its own.
 *
 * @module
 */
import type { ReadableWaiter } from "../ffi/adapter.ts";
import type { Native } from "../ffi/native.ts";

/** What the notifier needs of a ring. */
export interface Serviceable {
  /** True while completions are expected (operations in flight, or an iterator waiting). */
  readonly awaitingCompletions: boolean;
  /** Runs pending completion work if the ring needs it, reaps the CQ, and resubmits a backlog. */
  service(): void;
}

const EFD_CLOEXEC = 0o2000000;
const EFD_NONBLOCK = 0o4000;

/** The per-thread eventfd and waiter shared by all rings. */
export class Notifier {
  /** The eventfd every ring registers. */
  readonly fd: number;
  readonly #native: Native;
  readonly #rings = new Set<Serviceable>();
  readonly #scratch = new BigUint64Array(1);
  #waiter: ReadableWaiter | null = null;

  constructor(native: Native) {
    this.#native = native;
    this.fd = native.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (this.fd < 0) throw new Error(`Cannot create the completion eventfd: errno ${-this.fd}`);
  }

  /** Starts watching a ring. */
  add(ring: Serviceable): void {
    this.#rings.add(ring);
  }

  /** Stops watching a ring. */
  delete(ring: Serviceable): void {
    this.#rings.delete(ring);
    this.update();
  }

  #inflight(): boolean {
    for (const ring of this.#rings) if (ring.awaitingCompletions) return true;
    return false;
  }

  /** Called after a ring submitted or reaped: arms a wait if something is still in flight, releases it if not. */
  update(): void {
    if (!this.#inflight()) {
      this.#waiter?.release();
      return;
    }
    this.#waiter ??= this.#native.createWaiter(this.fd, this.#onReadable);
    if (this.#waiter.busy) {
      this.#waiter.arm(); // keeps the process alive again
      return;
    }
    this.#native.read(this.fd, this.#scratch, 8);
    for (const ring of this.#rings) if (ring.awaitingCompletions) ring.service();
    if (this.#inflight()) this.#waiter.arm();
  }

  #onReadable = (): void => {
    for (const ring of this.#rings) if (ring.awaitingCompletions) ring.service();
    this.update();
  };
}

let shared: Notifier | null = null;

/** The notifier of this thread (one eventfd and one waiter for every ring), made on first use. */
export function sharedNotifier(native: Native): Notifier {
  shared ??= new Notifier(native);
  return shared;
}
