/**
 * io_uring_register(2) for the ring itself: the call with its errors, the caller's eventfd in place of the
 * completion waiter's, enabling a ring created disabled, and MSG_RING without a ring. The registrations of
 * files, buffers and the rest live on the facade, one thin method each, as in liburing's `src/register.c`.
 *
 * @module
 */
import type { Native } from "../ffi/native.ts";
import {
  IORING_OP_MSG_RING,
  IORING_REGISTER_ENABLE_RINGS,
  IORING_REGISTER_EVENTFD,
  IORING_REGISTER_EVENTFD_ASYNC,
  IORING_REGISTER_SEND_MSG_RING,
  IORING_SETUP_R_DISABLED,
  IORING_UNREGISTER_EVENTFD,
} from "../kernel/constants.ts";
import { ENOMEM } from "../kernel/errno.ts";
import type { Op } from "../sqe/op.ts";
import { SqeWriter } from "../sqe/writer.ts";
import { IoRingError } from "../util/error.ts";
import { checkOp, closedError } from "./_support.ts";
import type { RingDriver } from "./driver.ts";

/** io_uring_register(2) on the driver's ring: the kernel's result, or an {@link IoRingError} naming `name`. */
export function register(
  driver: RingDriver,
  opcode: number,
  name: string,
  arg: ArrayBufferView | null,
  nrArgs: number,
): number {
  if (driver.closing !== null) throw closedError("io_uring_register");
  const fd = driver.mapping.fd;
  const ret = driver.native.register(fd, opcode, arg, nrArgs);
  if (ret >= 0) return ret;
  const detail = -ret === ENOMEM
    ? `${name}: RLIMIT_MEMLOCK is too low for this registration (raise it with \`ulimit -l\`, or in limits.conf)`
    : name;
  throw new IoRingError(-ret, "io_uring_register", { fd, detail });
}

/** Puts the caller's eventfd in the ring's eventfd slot (the waiter gets it back if the kernel refuses). */
export function registerCallerEventfd(driver: RingDriver, fd: number, async: boolean): void {
  if (!Number.isInteger(fd) || fd < 0) {
    throw new RangeError(`Cannot register an eventfd: fd must be a file descriptor: current value is ${fd}`);
  }
  if (driver.iopoll) {
    throw new TypeError("Cannot register an eventfd: an IOPOLL ring posts no eventfd signals");
  }
  register(driver, IORING_UNREGISTER_EVENTFD, "IORING_UNREGISTER_EVENTFD", null, 0);
  const opcode = async ? IORING_REGISTER_EVENTFD_ASYNC : IORING_REGISTER_EVENTFD;
  const ringFd = driver.mapping.fd;
  const ret = driver.native.register(ringFd, opcode, new Int32Array([fd]), 1);
  if (ret < 0) {
    try {
      driver.registerWaiterEventfd(); // the slot goes back to the waiter
    } catch {
      // The caller's refusal is the error to report.
    }
    throw new IoRingError(-ret, "io_uring_register", {
      fd: ringFd,
      detail: async ? "IORING_REGISTER_EVENTFD_ASYNC" : "IORING_REGISTER_EVENTFD",
    });
  }
  driver.userEventfd = fd;
  driver.notifier.update();
  driver.schedule(); // completions already in the CQ signalled no eventfd of the caller's: deliver them now
}

/** Gives the eventfd slot back to the completion waiter. */
export function unregisterCallerEventfd(driver: RingDriver): void {
  if (driver.userEventfd < 0) return;
  register(driver, IORING_UNREGISTER_EVENTFD, "IORING_UNREGISTER_EVENTFD", null, 0);
  driver.cq.eventfdEnabled = true;
  driver.registerWaiterEventfd();
  driver.userEventfd = -1;
  driver.schedule();
}

/** Starts a ring created with IORING_SETUP_R_DISABLED. */
export function enableRing(driver: RingDriver): void {
  if ((driver.mapping.flags & IORING_SETUP_R_DISABLED) === 0) return;
  const ret = driver.native.register(driver.mapping.fd, IORING_REGISTER_ENABLE_RINGS, null, 0);
  if (ret < 0) {
    throw new IoRingError(-ret, "io_uring_register", {
      fd: driver.mapping.fd,
      detail: "IORING_REGISTER_ENABLE_RINGS",
    });
  }
}

/** IORING_REGISTER_SEND_MSG_RING on fd -1: a MSG_RING data message with no ring of one's own (6.13). */
export function sendMsgRing(native: Native, op: Op): number {
  checkOp(op, "send a message with IORING_REGISTER_SEND_MSG_RING");
  if (op.opcode !== IORING_OP_MSG_RING) {
    throw new TypeError(
      `Cannot send a message with IORING_REGISTER_SEND_MSG_RING: op must be a MsgRing data message: current value is ${op.name}`,
    );
  }
  const sqe = new SqeWriter(new ArrayBuffer(64), 64).select(0);
  op.prep(sqe);
  const ret = native.register(0xffffffff, IORING_REGISTER_SEND_MSG_RING, sqe.u8, 1);
  if (ret < 0) throw new IoRingError(-ret, "io_uring_register", { detail: "IORING_REGISTER_SEND_MSG_RING" });
  return ret;
}
