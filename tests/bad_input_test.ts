// Bad input, case by case: every public entry point of the ring called with wrong types, out-of-range
// numbers, short, detached, resizable or shared buffers, fds of the wrong kind, and on a closed ring. Each
// case names the error it must give (class, message or errno name, op); a case refused before the kernel
// must leave nothing queued or in flight; and after every case the same ring still runs a NOP and moves
// real bytes through a pipe.
import assert from "node:assert/strict";
import {
  BufferRing,
  FixedBufferPool,
  IoRing,
  IoRingError,
  IOSQE_CQE_SKIP_SUCCESS,
  Nop,
  O_CREAT,
  O_RDWR,
  type Op,
  Read,
  ReadFixed,
  Readv,
  Recv,
  Timeout,
  Write,
} from "../mod.ts";
import { IORING_MAX_ENTRIES } from "../kernel/constants.ts";
import {
  AF_INET,
  IORING_CQE_F_BUFFER,
  IORING_OFF_PBUF_RING,
  IORING_OFF_PBUF_SHIFT,
  IORING_TIMEOUT_MULTISHOT,
  SOCK_STREAM,
} from "../kernel/constants.ts";
import * as ops from "../ops/mod.ts";
import { test } from "./_harness.ts";
import { closeFds, n, pattern, pipe, socketPair, tempDir } from "./_util.ts";

type ErrorClass = typeof TypeError | typeof RangeError | typeof IoRingError | typeof Error;

/** One bad call and the error it must give. */
interface Case {
  name: string;
  call: (c: Context) => unknown;
  error: ErrorClass;
  /** The message must match (the library's own checks). */
  message?: RegExp;
  /** The errno name (IoRingError); a pattern where kernel versions differ. */
  code?: string | RegExp;
  /** The operation the IoRingError names. */
  op?: string;
  /** The kernel gives this error: the call may reach it. Otherwise nothing may be queued or in flight. */
  kernel?: boolean;
}

interface Context {
  ring: IoRing;
  file: number;
  listener: number;
  closed: number;
  pipeRead: number;
  pipeWrite: number;
  socket: number;
  pool: FixedBufferPool;
  buffers: BufferRing;
  path: string;
}

/** A view whose ArrayBuffer was transferred away with structuredClone. */
function clonedAway(size = 8): Uint8Array {
  const view = new Uint8Array(size);
  structuredClone(view.buffer, { transfer: [view.buffer] });
  return view;
}

/** An ArrayBuffer detached by ArrayBuffer.prototype.transfer. */
function transferredAway(size = 8): ArrayBuffer {
  const buffer = new ArrayBuffer(size);
  buffer.transfer();
  return buffer;
}

const resizable = () => new ArrayBuffer(8, { maxByteLength: 16 });
const growable = () => new SharedArrayBuffer(8, { maxByteLength: 16 });
/** A builder whose buffer was transferred after it was built. */
function detachedAfterBuild(fd: number): Read {
  const buffer = new Uint8Array(8);
  const op = new Read(fd, buffer, 0);
  buffer.buffer.transfer();
  return op;
}
/** An op whose SQE writer throws halfway, as a buggy custom op would. */
const throwingOp: Op = {
  name: "throwing",
  opcode: 0,
  since: "5.1",
  target: {},
  prep(sqe) {
    sqe.prepRw(0, -1, 0, 0, 0);
    throw new Error("prep failed on purpose");
  },
};

const detachedMessage = /the buffer is detached/;
const resizableMessage = /is resizable, so its memory may move while the kernel uses it/;

// One line per case, so the matrix reads as a table.
// deno-fmt-ignore
const CASES: Case[] = [
  // ---- ring setup
  { name: "entries 3", call: () => new IoRing({ entries: 3 }), error: RangeError, message: /entries must be a power of two: current value is 3$/ },
  { name: "entries 0", call: () => new IoRing({ entries: 0 }), error: RangeError, message: /power of two: current value is 0/ },
  { name: "entries -8", call: () => new IoRing({ entries: -8 }), error: RangeError, message: /power of two: current value is -8/ },
  { name: "entries 1.5", call: () => new IoRing({ entries: 1.5 }), error: RangeError, message: /power of two/ },
  { name: "entries over IORING_MAX_ENTRIES", call: () => new IoRing({ entries: IORING_MAX_ENTRIES * 2 }), error: RangeError, message: /entries must be at most 32768 \(or set clamp\): current value is 65536/ },
  { name: "entries a string", call: () => new IoRing({ entries: "8" as unknown as number }), error: TypeError, message: /entries must be a number: current value is string/ },
  { name: "cqEntries below entries", call: () => new IoRing({ entries: 16, cqEntries: 8 }), error: RangeError, message: /cqEntries must be at least entries \(16\): current value is 8/ },
  { name: "cqEntries not a power of two", call: () => new IoRing({ cqEntries: 300 }), error: RangeError, message: /cqEntries must be a power of two/ },
  { name: "options null", call: () => new IoRing(null as unknown as object), error: TypeError, message: /options must be an object/ },
  { name: "a flag option not a boolean", call: () => new IoRing({ sqpoll: "yes" as unknown as boolean }), error: TypeError, message: /IORING_SETUP_SQPOLL option must be a boolean/ },
  { name: "raw flags negative", call: () => new IoRing({ flags: -1 }), error: RangeError, message: /flags must be a 32-bit unsigned integer: current value is -1/ },
  { name: "sqThreadIdle without sqpoll", call: () => new IoRing({ sqThreadIdle: 10 }), error: TypeError, message: /sqThreadIdle needs sqpoll/ },
  { name: "deferTaskrun without singleIssuer", call: () => new IoRing({ deferTaskrun: true }), error: TypeError, message: /deferTaskrun needs singleIssuer/ },
  { name: "attachWq not a ring", call: () => new IoRing({ attachWq: "x" as unknown as number }), error: TypeError, message: /attachWq must be an open IoRing/ },
  { name: "attachWq a closed fd", call: (c) => new IoRing({ attachWq: c.closed }), error: IoRingError, code: "ENXIO", op: "io_uring_setup", kernel: true },

  // ---- read: fd, buffer, offset, length, flags, options
  { name: "read: fd a string", call: (c) => c.ring.read("3" as unknown as number, new Uint8Array(8)), error: RangeError, message: /Cannot read fd 3: fd must be a file descriptor or a FixedFile: current value is "3"/ },
  { name: "read: fd not an integer", call: (c) => c.ring.read(1.5, new Uint8Array(8)), error: RangeError, message: /fd must be a file descriptor or a FixedFile: current value is 1.5/ },
  { name: "read: fd above 2^31-1", call: (c) => c.ring.read(2 ** 31, new Uint8Array(8)), error: RangeError, message: /current value is 2147483648/ },
  { name: "read: fd negative", call: (c) => c.ring.read(-5, new Uint8Array(8)), error: IoRingError, code: "EBADF", op: "read", kernel: true },
  { name: "read: a closed fd", call: (c) => c.ring.read(c.closed, new Uint8Array(8)), error: IoRingError, code: "EBADF", op: "read", kernel: true },
  { name: "read: a listening socket", call: (c) => c.ring.read(c.listener, new Uint8Array(8)), error: IoRingError, code: "ENOTCONN", op: "read", kernel: true },
  { name: "read: the write end of a pipe", call: (c) => c.ring.read(c.pipeWrite, new Uint8Array(8)), error: IoRingError, code: "EBADF", op: "read", kernel: true },
  { name: "read: buffer null", call: (c) => c.ring.read(c.file, null as unknown as Uint8Array), error: TypeError, message: /a null buffer needs options.bufferGroup/ },
  { name: "read: buffer a string", call: (c) => c.ring.read(c.file, "abc" as unknown as Uint8Array), error: TypeError, message: /current value is "abc"/ },
  { name: "read: buffer a plain array", call: (c) => c.ring.read(c.file, [1, 2] as unknown as Uint8Array), error: TypeError, message: /current value is Array/ },
  { name: "read: offset -2", call: (c) => c.ring.read(c.file, new Uint8Array(8), -2), error: RangeError, message: /offset must be an integer >= 0, or -1 for the file position: current value is -2/ },
  { name: "read: offset 2^53", call: (c) => c.ring.read(c.file, new Uint8Array(8), 2 ** 53), error: RangeError, message: /offset must be/ },
  { name: "read: offset NaN", call: (c) => c.ring.read(c.file, new Uint8Array(8), NaN), error: RangeError, message: /current value is NaN/ },
  { name: "read: offset a string", call: (c) => c.ring.read(c.file, new Uint8Array(8), "0" as unknown as number), error: RangeError, message: /current value is "0"/ },
  { name: "read: offset a BigInt", call: (c) => c.ring.read(c.file, new Uint8Array(8), 0n as unknown as number), error: RangeError, message: /offset must be/ },
  { name: "read: length longer than the buffer", call: (c) => c.ring.read(c.file, new Uint8Array(8), 0, { length: 9 }), error: RangeError, message: /Cannot read fd \d+: length must be an integer from 0 to the buffer's 8 bytes: current value is 9/ },
  { name: "read: length negative", call: (c) => c.ring.read(c.file, new Uint8Array(8), 0, { length: -1 }), error: RangeError, message: /length must be .*current value is -1/ },
  { name: "read: length 2^32", call: (c) => c.ring.read(c.file, new Uint8Array(8), 0, { length: 2 ** 32 }), error: RangeError, message: /current value is 4294967296/ },
  { name: "read: rwFlags a string", call: (c) => c.ring.read(c.file, new Uint8Array(8), 0, { rwFlags: "x" as unknown as number }), error: RangeError, message: /rwFlags must be a 32-bit integer: current value is "x"/ },
  { name: "read: rwFlags not an integer", call: (c) => c.ring.read(c.file, new Uint8Array(8), 0, { rwFlags: 1.5 }), error: RangeError, message: /rwFlags must be a 32-bit integer/ },
  { name: "read: rwFlags the kernel does not know", call: (c) => c.ring.read(c.file, new Uint8Array(8), 0, { rwFlags: 0x40000000 }), error: IoRingError, code: "EOPNOTSUPP", op: "read", kernel: true },
  { name: "read: options null", call: (c) => c.ring.read(c.file, new Uint8Array(8), 0, null as unknown as object), error: TypeError, message: /options must be an object: current value is null/ },
  { name: "read: timeout negative", call: (c) => c.ring.read(c.file, new Uint8Array(8), 0, { timeout: -1 }), error: RangeError, message: /time must be a finite number of milliseconds >= 0: current value is -1/ },
  { name: "read: signal not an AbortSignal", call: (c) => c.ring.read(c.file, new Uint8Array(8), 0, { signal: "x" as unknown as AbortSignal }), error: TypeError, message: /signal must be an AbortSignal/ },
  { name: "read: a buffer detached by structuredClone", call: (c) => c.ring.read(c.file, clonedAway()), error: TypeError, message: detachedMessage },
  { name: "read: an ArrayBuffer detached by transfer()", call: (c) => c.ring.read(c.file, transferredAway()), error: TypeError, message: detachedMessage },
  { name: "read: a DataView over a detached buffer", call: (c) => { const b = new ArrayBuffer(8); const v = new DataView(b); b.transfer(); return c.ring.read(c.file, v); }, error: TypeError, message: detachedMessage },
  { name: "read: a resizable ArrayBuffer", call: (c) => c.ring.read(c.file, resizable()), error: TypeError, message: resizableMessage },
  { name: "read: a view over a resizable ArrayBuffer", call: (c) => c.ring.read(c.file, new Uint8Array(resizable(), 0, 4)), error: TypeError, message: resizableMessage },
  { name: "read: a growable SharedArrayBuffer", call: (c) => c.ring.read(c.file, growable()), error: TypeError, message: resizableMessage },

  // ---- write, readv, writev
  { name: "write: to the read end of a pipe", call: (c) => c.ring.write(c.pipeRead, new Uint8Array(8)), error: IoRingError, code: "EBADF", op: "write", kernel: true },
  { name: "write: length longer than the buffer", call: (c) => c.ring.write(c.file, new Uint8Array(4), 0, { length: 5 }), error: RangeError, message: /Cannot write fd \d+: length must be an integer from 0 to the buffer's 4 bytes: current value is 5/ },
  { name: "write: a detached buffer", call: (c) => c.ring.write(c.file, clonedAway()), error: TypeError, message: detachedMessage },
  { name: "write: offset -100", call: (c) => c.ring.write(c.file, new Uint8Array(1), -100), error: RangeError, message: /offset must be/ },
  { name: "readv: buffers not an array", call: (c) => c.ring.readv(c.file, new Uint8Array(8) as unknown as Uint8Array[]), error: TypeError, message: /buffers must be an array of buffers/ },
  { name: "readv: no buffers", call: (c) => c.ring.readv(c.file, []), error: RangeError, message: /between 1 and 1024 buffers are needed: current count is 0/ },
  { name: "readv: more than IOV_MAX buffers", call: (c) => c.ring.readv(c.file, Array.from({ length: 1025 }, () => new Uint8Array(1))), error: RangeError, message: /current count is 1025/ },
  { name: "readv: one buffer detached", call: (c) => c.ring.readv(c.file, [new Uint8Array(4), clonedAway()]), error: TypeError, message: detachedMessage },
  { name: "readv: one buffer resizable", call: (c) => c.ring.readv(c.file, [new Uint8Array(4), resizable()]), error: TypeError, message: resizableMessage },
  { name: "writev: one buffer not a buffer", call: (c) => c.ring.writev(c.file, [new Uint8Array(4), 7 as unknown as Uint8Array]), error: TypeError, message: /buffer must be a typed array.*current value is 7/ },

  // ---- sockets
  { name: "recv: a regular file", call: (c) => c.ring.recv(c.file, new Uint8Array(8)), error: IoRingError, code: "ENOTSOCK", op: "recv", kernel: true },
  { name: "send: a pipe", call: (c) => c.ring.send(c.pipeWrite, new Uint8Array(8)), error: IoRingError, code: "ENOTSOCK", op: "send", kernel: true },
  { name: "recv: a listening socket", call: (c) => c.ring.recv(c.listener, new Uint8Array(8)), error: IoRingError, code: "ENOTCONN", op: "recv", kernel: true },
  { name: "recv: null buffer without a buffer group", call: (c) => c.ring.recv(c.socket, null as unknown as Uint8Array), error: TypeError, message: /a null buffer needs options.bufferGroup/ },
  { name: "recv: length longer than the buffer", call: (c) => c.ring.recv(c.socket, new Uint8Array(8), { length: 100 }), error: RangeError, message: /length must be an integer from 0 to the buffer's 8 bytes: current value is 100/ },
  { name: "recv: multishot into a caller's buffer", call: (c) => c.ring.recv(c.socket, new Uint8Array(8), { multishot: true }), error: TypeError, message: /multishot needs options.bufferGroup/ },
  { name: "recv: options null", call: (c) => c.ring.recv(c.socket, new Uint8Array(8), null as unknown as object), error: TypeError, message: /options must be an object/ },
  { name: "send: flags not an integer", call: (c) => c.ring.send(c.socket, new Uint8Array(8), { flags: 1.5 }), error: RangeError, message: /flags must be a 32-bit integer: current value is 1.5/ },
  { name: "send: a detached buffer", call: (c) => c.ring.send(c.socket, clonedAway()), error: TypeError, message: detachedMessage },
  { name: "send: a resizable buffer", call: (c) => c.ring.send(c.socket, resizable()), error: TypeError, message: resizableMessage },
  { name: "sendZc: a detached buffer", call: (c) => c.ring.sendZc(c.socket, clonedAway()), error: TypeError, message: detachedMessage },
  { name: "sendmsg: one buffer detached", call: (c) => c.ring.sendmsg(c.socket, [clonedAway()]), error: TypeError, message: detachedMessage },
  { name: "bind: an address of no family", call: (c) => c.ring.bind(c.socket, { port: 1 } as never), error: TypeError, message: /family must be "ipv4", "ipv6" or "unix"/ },
  { name: "socket: a domain the kernel lacks", call: (c) => c.ring.socket(4242, SOCK_STREAM), error: IoRingError, code: "EAFNOSUPPORT", op: "socket", kernel: true },
  { name: "listen: a regular file", call: (c) => c.ring.listen(c.file), error: IoRingError, code: "ENOTSOCK", op: "listen", kernel: true },

  // ---- paths
  { name: "openat: path a number", call: (c) => c.ring.openat(42 as unknown as string), error: TypeError, message: /path must be a string or file URL: current value is 42/ },
  { name: "openat: path with a NUL byte", call: (c) => c.ring.openat(`${c.path}\0x`), error: TypeError, message: /path contains a NUL byte/ },
  { name: "openat: a missing file", call: (c) => c.ring.openat(`${c.path}.missing`), error: IoRingError, code: "ENOENT", op: "openat", kernel: true },
  { name: "statx: path undefined", call: (c) => c.ring.statx(undefined as unknown as string), error: TypeError, message: /path must be a string or file URL: current value is undefined/ },
  { name: "statx: a missing file", call: (c) => c.ring.statx(`${c.path}.missing`), error: IoRingError, code: "ENOENT", op: "statx", kernel: true },
  { name: "openat: mode a string", call: (c) => c.ring.openat(c.path, { mode: "644" as unknown as number }), error: RangeError, message: /mode must be a 32-bit integer: current value is "644"/ },
  { name: "openat: flags a fraction", call: (c) => c.ring.openat(c.path, { flags: 0.5 }), error: RangeError, message: /flags must be a 32-bit integer/ },
  { name: "statx: mask a string", call: (c) => c.ring.statx(c.path, { mask: "all" as unknown as number }), error: RangeError, message: /mask must be a 32-bit integer/ },
  { name: "splice: flags a fraction", call: (c) => c.ring.splice(c.file, c.socket, 1, { flags: 1.5 }), error: RangeError, message: /flags must be a 32-bit integer/ },

  // ---- timeout and close
  { name: "timeout: negative", call: (c) => c.ring.timeout(-1), error: RangeError, message: /time must be a finite number of milliseconds >= 0: current value is -1/ },
  { name: "timeout: NaN", call: (c) => c.ring.timeout(NaN), error: RangeError, message: /current value is NaN/ },
  { name: "timeout: Infinity", call: (c) => c.ring.timeout(Infinity), error: RangeError, message: /current value is Infinity/ },
  { name: "timeout: nsec of a whole second", call: (c) => c.ring.timeout({ sec: 1, nsec: 1e9 }), error: RangeError, message: /nsec an integer below 1e9/ },
  { name: "timeout: a string", call: (c) => c.ring.timeout("5" as unknown as number), error: TypeError, message: /time must be milliseconds or \{ sec, nsec \}/ },
  { name: "timeout: flags not an integer", call: (c) => c.ring.timeout(1, { flags: 0.5 }), error: RangeError, message: /flags must be a 32-bit integer/ },
  { name: "close: fd a string", call: (c) => c.ring.close("x" as unknown as number), error: RangeError, message: /fd must be a file descriptor/ },
  { name: "close: a closed fd", call: (c) => c.ring.close(c.closed), error: IoRingError, code: "EBADF", op: "close", kernel: true },

  // ---- low-level prepare, run, link, multishot
  { name: "prepare: userData -1", call: (c) => c.ring.prepare(new Nop(), -1), error: RangeError, message: /Cannot prepare nop: userData must be an integer from 0 to 2\^53-1: current value is -1/ },
  { name: "prepare: userData 2^53 (beyond exact numbers)", call: (c) => c.ring.prepare(new Nop(), 2 ** 53), error: RangeError, message: /current value is 9007199254740992/ },
  { name: "prepare: userData 2^63 (the promise API's bit)", call: (c) => c.ring.prepare(new Nop(), 2 ** 63), error: RangeError, message: /userData must be an integer from 0 to 2\^53-1/ },
  { name: "prepare: userData 2^64-1", call: (c) => c.ring.prepare(new Nop(), 2 ** 64 - 1), error: RangeError, message: /userData must be/ },
  { name: "prepare: userData not an integer", call: (c) => c.ring.prepare(new Nop(), 1.5), error: RangeError, message: /current value is 1.5/ },
  { name: "prepare: userData NaN", call: (c) => c.ring.prepare(new Nop(), NaN), error: RangeError, message: /current value is NaN/ },
  { name: "prepare: userData a string", call: (c) => c.ring.prepare(new Nop(), "1" as unknown as number), error: RangeError, message: /current value is "1"/ },
  { name: "prepare: userData a BigInt", call: (c) => c.ring.prepare(new Nop(), 1n as unknown as number), error: RangeError, message: /userData must be an integer from 0 to 2\^53-1: current value is 1$/ },
  { name: "prepare: op null", call: (c) => c.ring.prepare(null as unknown as Op, 1), error: TypeError, message: /Cannot prepare: op must be an op builder .*current value is null/ },
  { name: "prepare: op an empty object", call: (c) => c.ring.prepare({} as Op, 1), error: TypeError, message: /op must be an op builder .*current value is Object/ },
  { name: "prepare: an op whose prep throws", call: (c) => c.ring.prepare(throwingOp, 1), error: Error, message: /prep failed on purpose/ },
  { name: "prepare: a builder whose buffer was transferred after it was built", call: (c) => c.ring.prepare(detachedAfterBuild(c.file), 1), error: TypeError, message: /Cannot read: the buffer was detached \(transferred\) after the op was built/ },
  { name: "run: op null", call: (c) => c.ring.run(null as unknown as Op), error: TypeError, message: /Cannot run: op must be an op builder/ },
  { name: "run: an op whose prep throws", call: (c) => c.ring.run(throwingOp), error: Error, message: /prep failed on purpose/ },
  { name: "run: a builder whose buffer was transferred after it was built", call: (c) => c.ring.run(detachedAfterBuild(c.file)), error: TypeError, message: /the buffer was detached \(transferred\) after the op was built/ },
  { name: "run: a multishot op", call: (c) => c.ring.run(new Timeout(1, { flags: IORING_TIMEOUT_MULTISHOT })), error: TypeError, message: /a multishot op posts many completions; use ring.multishot\(\)/ },
  { name: "run: IOSQE_CQE_SKIP_SUCCESS", call: (c) => c.ring.run(new Nop().flags(IOSQE_CQE_SKIP_SUCCESS)), error: TypeError, message: /IOSQE_CQE_SKIP_SUCCESS leaves a promise nothing to settle on/ },
  { name: "run: options not an object", call: (c) => c.ring.run(new Nop(), 5 as unknown as object), error: TypeError, message: /Cannot nop: options must be an object: current value is 5/ },
  { name: "link: no ops", call: (c) => c.ring.link([]), error: TypeError, message: /ops must be a non-empty array/ },
  { name: "link: one op null", call: (c) => c.ring.link([new Nop(), null as unknown as Op]), error: TypeError, message: /Cannot link: op must be an op builder/ },
  { name: "multishot: op null", call: (c) => c.ring.multishot(null as unknown as Op), error: TypeError, message: /op must be an op builder/ },
  { name: "multishot: options null", call: (c) => c.ring.multishot(new Nop(), null as unknown as object), error: TypeError, message: /options must be an object/ },
  { name: "forEachCompletion: not a function", call: (c) => c.ring.forEachCompletion(null as unknown as () => void), error: TypeError, message: /callback must be a function/ },
  { name: "cancelFd: fd a string", call: (c) => c.ring.cancelFd("x" as unknown as number), error: RangeError, message: /fd must be a file descriptor or a FixedFile: current value is x/ },
  { name: "mapRing: offset negative", call: (c) => c.ring.mapRing(-1, 4096), error: RangeError, message: /offset must be >= 0 and length > 0/ },
  { name: "mapRing: a buffer ring never registered", call: (c) => c.ring.mapRing(IORING_OFF_PBUF_RING + 100 * 2 ** IORING_OFF_PBUF_SHIFT, 4096), error: IoRingError, code: /^(EINVAL|ENOMEM)$/, op: "mmap", kernel: true },

  // ---- builders and their setters
  { name: "Nop.flags: wider than a byte", call: () => new Nop().flags(0x100), error: RangeError, message: /Cannot set the flags of nop: flags must be IOSQE_\* bits \(0 to 255\): current value is 256/ },
  { name: "Nop.flags: negative", call: () => new Nop().flags(-1), error: RangeError, message: /flags must be IOSQE_/ },
  { name: "Nop.ioprio: above 16 bits", call: () => new Nop().ioprio(0x10000), error: RangeError, message: /ioprio must be an integer from 0 to 65535/ },
  { name: "Nop.personality: negative", call: () => new Nop().personality(-1), error: RangeError, message: /personality must be an integer from 0 to 65535/ },
  { name: "Read: buffer index of ReadFixed above 16 bits", call: (c) => new ReadFixed(c.file, new Uint8Array(8), 0x10000), error: RangeError, message: /bufIndex must be an integer from 0 to 65535/ },
  { name: "ReadFixed: memory outside the registered buffer", call: (c) => c.ring.run(new ReadFixed(c.file, new Uint8Array(8), 0, 0)), error: IoRingError, code: "EFAULT", op: "read_fixed", kernel: true },
  { name: "Readv: offset -3", call: (c) => new Readv(c.file, [new Uint8Array(1)], -3), error: RangeError, message: /offset must be/ },
  { name: "Write: a resizable buffer", call: (c) => new Write(c.file, resizable()), error: TypeError, message: resizableMessage },
  { name: "Recv: bufferGroup above 16 bits", call: (c) => new Recv(c.socket, null, { bufferGroup: 70000 }), error: RangeError, message: /bufferGroup must be an integer from 0 to 65535/ },

  // ---- registration
  { name: "registerFiles: no fds", call: (c) => c.ring.registerFiles([]), error: TypeError, message: /fds must be a non-empty array/ },
  { name: "registerFiles: not an array", call: (c) => c.ring.registerFiles("3" as unknown as number[]), error: TypeError, message: /fds must be a non-empty array/ },
  { name: "registerFiles: an fd not an integer", call: (c) => c.ring.registerFiles([1.5]), error: RangeError, message: /each fd must be a file descriptor, -1 or -2: current value is 1.5/ },
  { name: "registerFiles: an fd below -2", call: (c) => c.ring.registerFiles([-3]), error: RangeError, message: /current value is -3/ },
  { name: "registerFiles: a closed fd", call: (c) => c.ring.registerFiles([c.closed]), error: IoRingError, code: "EBADF", op: "io_uring_register", kernel: true },
  { name: "registerFiles: one tag too few", call: (c) => c.ring.registerFiles([c.file, c.file], { tags: [1] }), error: TypeError, message: /needs one tag per entry \(2\): current count is 1/ },
  { name: "registerFiles: a negative tag", call: (c) => c.ring.registerFiles([c.file], { tags: [-1] }), error: RangeError, message: /each tag must be an integer from 0 to 2\^53-1/ },
  { name: "registerSparseFiles: 0", call: (c) => c.ring.registerSparseFiles(0), error: RangeError, message: /count must be an integer >= 1: current value is 0/ },
  { name: "updateFiles: offset -1", call: (c) => c.ring.updateFiles(-1, [c.file]), error: RangeError, message: /offset must be an integer >= 0/ },
  { name: "updateFiles: no table registered", call: (c) => c.ring.updateFiles(0, [c.file]), error: IoRingError, code: "ENXIO", op: "io_uring_register", kernel: true },
  { name: "registerBuffers: no buffers", call: (c) => c.ring.registerBuffers([]), error: TypeError, message: /buffers must be a non-empty array/ },
  { name: "registerBuffers: a detached buffer", call: (c) => c.ring.registerBuffers([clonedAway(4096)]), error: TypeError, message: detachedMessage },
  { name: "registerBuffers: a resizable buffer", call: (c) => c.ring.registerBuffers([resizable()]), error: TypeError, message: resizableMessage },
  { name: "registerBuffers: a table already registered (the pool's)", call: (c) => c.ring.registerBuffers([new Uint8Array(8)]), error: IoRingError, code: "EBUSY", op: "io_uring_register", kernel: true },
  { name: "registerSparseBuffers: above 16384", call: (c) => c.ring.registerSparseBuffers(16385), error: RangeError, message: /count must be an integer from 1 to 16384: current value is 16385/ },
  { name: "updateBuffers: offset -1", call: (c) => c.ring.updateBuffers(-1, [new Uint8Array(8)]), error: RangeError, message: /offset must be an integer from 0 to 2\^32-1: current value is -1/ },
  { name: "registerFileAllocRange: offset -1", call: (c) => c.ring.registerFileAllocRange(-1, 1), error: RangeError, message: /Cannot register the file alloc range: offset must be an integer from 0 to 2\^32-1: current value is -1/ },
  { name: "registerFileAllocRange: length a string", call: (c) => c.ring.registerFileAllocRange(0, "1" as unknown as number), error: RangeError, message: /length must be .*current value is "1"/ },
  { name: "unregisterPersonality: -1", call: (c) => c.ring.unregisterPersonality(-1), error: RangeError, message: /Cannot unregister a personality: id must be an integer from 0 to 65535: current value is -1/ },
  { name: "unregisterPersonality: one never registered", call: (c) => c.ring.unregisterPersonality(4000), error: IoRingError, code: "EINVAL", op: "io_uring_register", kernel: true },
  { name: "setIowqMaxWorkers: negative", call: (c) => c.ring.setIowqMaxWorkers(-1, 0), error: RangeError, message: /bounded must be an integer from 0 to 2\^32-1: current value is -1/ },
  { name: "setIowqAffinity: not an array", call: (c) => c.ring.setIowqAffinity("0" as unknown as number[]), error: TypeError, message: /cpus must be an array of CPU numbers/ },
  { name: "setIowqAffinity: CPU 5000", call: (c) => c.ring.setIowqAffinity([5000]), error: RangeError, message: /CPUs must be integers from 0 to 1023: current value is 5000/ },
  { name: "registerEventfd: fd -1", call: (c) => c.ring.registerEventfd(-1), error: RangeError, message: /fd must be a file descriptor: current value is -1/ },
  { name: "registerEventfd: a pipe", call: (c) => c.ring.registerEventfd(c.pipeRead), error: IoRingError, code: "EINVAL", op: "io_uring_register", kernel: true },
  { name: "registerRaw: opcode a string", call: (c) => c.ring.registerRaw("1" as unknown as number, "X", null, 0), error: RangeError, message: /Cannot register X: opcode must be an integer from 0 to 2\^32-1: current value is "1"/ },
  { name: "registerRaw: arg not a view", call: (c) => c.ring.registerRaw(0, "X", {} as Uint8Array, 1), error: TypeError, message: /arg must be a typed array, DataView or null: current value is Object/ },
  { name: "registerRaw: arg detached", call: (c) => c.ring.registerRaw(0, "X", clonedAway(), 1), error: TypeError, message: /Cannot register X: arg is detached/ },
  { name: "registerRaw: an opcode the kernel does not know", call: (c) => c.ring.registerRaw(250, "IORING_REGISTER_250", null, 0), error: IoRingError, code: "EINVAL", op: "io_uring_register", kernel: true },
  { name: "registerRestrictions: an opcode above 255", call: (c) => c.ring.registerRestrictions({ sqeOps: [256] }), error: RangeError, message: /sqeOps must hold opcodes from 0 to 255: current value is 256/ },
  { name: "registerRestrictions: on a ring that is not disabled", call: (c) => c.ring.registerRestrictions({ sqeOps: [0] }), error: IoRingError, code: "EBADFD", op: "io_uring_register", kernel: true },

  // ---- BufferRing
  { name: "BufferRing: ring not a ring", call: () => BufferRing.register(null as unknown as IoRing, { group: 1, entries: 4, size: 8 }), error: TypeError, message: /ring must be an IoRing: current value is null/ },
  { name: "BufferRing: options null", call: (c) => BufferRing.register(c.ring, null as unknown as { group: 1; entries: 4; size: 8 }), error: TypeError, message: /options must be an object/ },
  { name: "BufferRing: group 65536", call: (c) => BufferRing.register(c.ring, { group: 65536, entries: 4, size: 8 }), error: RangeError, message: /group must be an integer from 0 to 65535/ },
  { name: "BufferRing: entries 3", call: (c) => BufferRing.register(c.ring, { group: 2, entries: 3, size: 8 }), error: RangeError, message: /entries must be a power of two from 1 to 32768: current value is 3/ },
  { name: "BufferRing: entries 65536", call: (c) => BufferRing.register(c.ring, { group: 2, entries: 65536, size: 8 }), error: RangeError, message: /current value is 65536/ },
  { name: "BufferRing: size 0", call: (c) => BufferRing.register(c.ring, { group: 2, entries: 4, size: 0 }), error: RangeError, message: /size must be an integer from 1 to 2\^31-1: current value is 0/ },
  { name: "BufferRing: incremental a string", call: (c) => BufferRing.register(c.ring, { group: 2, entries: 4, size: 8, incremental: "yes" as unknown as boolean, }), error: TypeError, message: /incremental must be a boolean/ },
  { name: "BufferRing: a group already registered", call: (c) => BufferRing.register(c.ring, { group: c.buffers.group, entries: 4, size: 8 }), error: IoRingError, code: "EEXIST", op: "io_uring_register", kernel: true },
  { name: "BufferRing.take: flags without a buffer", call: (c) => c.buffers.take(0, 5), error: TypeError, message: /flags must have IORING_CQE_F_BUFFER \(its res is 5\)/ },
  { name: "BufferRing.take: NaN", call: (c) => c.buffers.take(NaN, 1), error: TypeError, message: /flags and res must be a completion's integers/ },
  { name: "BufferRing.take: a buffer id beyond the ring", call: (c) => c.buffers.take(IORING_CQE_F_BUFFER | (9 << 16), 1), error: RangeError, message: /buffer id must be below the ring's 4 entries/ },
  { name: "BufferRing.take: res beyond the buffer", call: (c) => c.buffers.take(IORING_CQE_F_BUFFER, 65), error: RangeError, message: /res must fit the 64 bytes left in buffer 0/ },
  { name: "BufferRing.recycle: -1", call: (c) => c.buffers.recycle(-1), error: RangeError, message: /buffer id must be an integer from 0 to 3: current value is -1/ },
  { name: "BufferRing.recycle: a buffer still in the ring", call: (c) => c.buffers.recycle(1), error: Error, message: /must name a taken buffer, not one in the ring/ },

  // ---- FixedBufferPool
  { name: "FixedBufferPool: count 0", call: (c) => FixedBufferPool.register(c.ring, { count: 0, size: 8 }), error: RangeError, message: /count must be an integer from 1 to 16384: current value is 0/ },
  { name: "FixedBufferPool: size 2^31", call: (c) => FixedBufferPool.register(c.ring, { count: 1, size: 2 ** 31 }), error: RangeError, message: /size must be an integer from 1 to 2\^30/ },
  { name: "FixedBufferPool: a table already registered", call: (c) => FixedBufferPool.register(c.ring, { count: 1, size: 8 }), error: IoRingError, code: "EBUSY", op: "io_uring_register", kernel: true },
  { name: "FixedBufferPool.read: length -1", call: (c) => c.pool.read(c.file, c.pool.buffers[0], 0, -1), error: RangeError, message: /Cannot read into a buffer: length must be an integer from 0 to the buffer's 64 bytes: current value is -1/ },
  { name: "FixedBufferPool.read: length beyond the buffer", call: (c) => c.pool.read(c.file, c.pool.buffers[0], 0, 65), error: RangeError, message: /current value is 65/ },
  { name: "FixedBufferPool.write: a buffer of no pool", call: (c) => c.pool.write(c.file, { index: 0, bytes: new Uint8Array(64) }), error: TypeError, message: /buffer must be one of this pool's buffers/ },
  { name: "FixedBufferPool.release: a buffer not lent out", call: (c) => c.pool.release(c.pool.buffers[1]), error: TypeError, message: /it is not lent out by this pool/ },
];

/** Settles `outcome` or gives up after `ms`: a bad call must never leave a promise hanging. */
function settle(outcome: unknown, ms = 3_000): Promise<{ value?: unknown; error?: unknown }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms);
  });
  return Promise.race([Promise.resolve(outcome), hung])
    .then((value) => ({ value }), (error) => ({ error }))
    .finally(() => clearTimeout(timer));
}

function checkError(c: Case, error: unknown): void {
  assert.ok(error instanceof c.error, `${c.name}: expected ${c.error.name}, got ${String(error)}`);
  if (c.error === Error) assert.equal((error as Error).constructor, Error, `${c.name}: a plain Error`);
  if (c.message !== undefined) assert.match((error as Error).message, c.message, c.name);
  if (typeof c.code === "string") {
    assert.equal((error as IoRingError).code, c.code, `${c.name}: ${(error as Error).message}`);
  }
  if (c.code instanceof RegExp) assert.match((error as IoRingError).code, c.code, c.name);
  if (c.op !== undefined) assert.equal((error as IoRingError).op, c.op, c.name);
  if (error instanceof IoRingError) {
    assert.match(error.code, /^E[A-Z0-9]+$/, "an errno name");
    assert.ok(error.errno > 0);
  }
}

const dir = tempDir();
const path = dir.file("data", pattern(4096, 3));
const ring = new IoRing({ entries: 16 });
const [pipeRead, pipeWrite] = pipe();
const [socket, peer] = socketPair();
const file = await ring.openat(path, { flags: O_RDWR | O_CREAT });
const listener = await ring.socket(AF_INET, SOCK_STREAM);
await ring.bind(listener, { family: "ipv4", address: "127.0.0.1", port: 0 });
await ring.listen(listener);
const pool = FixedBufferPool.register(ring, { count: 2, size: 64 });
const buffers = BufferRing.register(ring, { group: 9, entries: 4, size: 64 });
// A closed fd whose number nothing takes again: fds are allocated lowest first, so a number above 900
// stays free (the runtime opens fds of its own at any time, and a reused low number would be theirs).
const F_DUPFD_CLOEXEC = 1030;
const [gone, goneToo] = pipe();
const closedFd = n.fcntl(gone, F_DUPFD_CLOEXEC, 900);
assert.ok(closedFd >= 900, `F_DUPFD_CLOEXEC: ${closedFd}`);
closeFds(closedFd, gone, goneToo);
const context: Context = {
  ring,
  file,
  listener,
  closed: closedFd,
  pipeRead,
  pipeWrite,
  socket,
  pool,
  buffers,
  path,
};

/** The ring still works: a NOP, then bytes through a pipe and back out of the file. */
async function assertRingWorks(label: string): Promise<void> {
  assert.equal(await ring.nop(), 0, `${label}: a NOP after`);
  const bytes = pattern(64, label.length);
  assert.equal(await ring.write(pipeWrite, bytes), 64, `${label}: a write after`);
  const back = new Uint8Array(64);
  assert.equal(await ring.read(pipeRead, back), 64, `${label}: a read after`);
  assert.deepEqual(back, bytes, `${label}: the bytes after`);
  const head = new Uint8Array(16);
  assert.equal(await ring.read(file, head, 0), 16);
  assert.deepEqual(head, pattern(4096, 3).subarray(0, 16));
  assert.equal(ring.inflight, 0, `${label}: nothing left in flight`);
  assert.equal(ring.queued, 0, `${label}: nothing left queued`);
}

for (const c of CASES) {
  test(`bad input: ${c.name} → ${c.error.name}${typeof c.code === "string" ? ` ${c.code}` : ""}`, async () => {
    const before = { queued: ring.queued, inflight: ring.inflight };
    let outcome: unknown;
    let thrown: { value?: unknown; error?: unknown } | undefined;
    try {
      outcome = c.call(context);
    } catch (error) {
      thrown = { error };
    }
    if (c.kernel !== true) {
      assert.deepEqual(
        { queued: ring.queued, inflight: ring.inflight },
        before,
        `${c.name}: refused before anything reached the ring`,
      );
    }
    const result = thrown ?? await settle(outcome);
    assert.ok(result.error !== undefined, `${c.name}: must fail, gave ${String(result.value)}`);
    checkError(c, result.error);
    await assertRingWorks(c.name);
  });
}

test("bad input: every op builder refuses wrong arguments with its own message, never the engine's", () => {
  const abstract = new Set(["OpBase", "BufferOp", "VectoredOp", "TwoPathOp", "MsgOp", "SendOp", "FixedFile"]);
  const argumentSets: [string, unknown[]][] = [
    ["strings", ["x", "x", "x", "x", "x"]],
    ["nulls", [null, null, null, null, null]],
    ["objects", [{}, {}, {}, {}, {}]],
    ["NaN", [NaN, NaN, NaN, NaN, NaN]],
    ["-1", [-1, -1, -1, -1, -1]],
    ["an fd, a buffer, then null options", [3, new Uint8Array(8), 0, null, null]],
    ["a path, then null options", ["/tmp", null, null, null]],
    ["an fd, a count, then null options", [3, 8, null, null]],
    ["a detached buffer second", [3, clonedAway(), 0, {}, {}]],
    ["a detached buffer first", [clonedAway(), clonedAway(), clonedAway(), {}, {}]],
    ["symbols", [Symbol("x"), Symbol("x"), Symbol("x"), Symbol("x"), Symbol("x")]],
  ];
  let builders = 0;
  for (const [name, value] of Object.entries(ops)) {
    if (typeof value !== "function" || abstract.has(name) || !/^[A-Z]/.test(name)) continue;
    builders++;
    const Builder = value as unknown as new (...args: unknown[]) => unknown;
    for (const [label, args] of argumentSets) {
      try {
        new Builder(...args);
      } catch (error) {
        assert.ok(error instanceof TypeError || error instanceof RangeError, `${name}(${label}): ${error}`);
        assert.match(error.message, /^Cannot [^:]+: /, `${name}(${label})`);
        assert.doesNotMatch(
          error.message,
          /^Cannot (read properties|set properties|mix BigInt|perform|convert|destructure)/,
          `${name}(${label}) fails with the engine's words`,
        );
      }
    }
  }
  assert.ok(builders > 50, `every builder was tried (${builders})`);
});

test("bad input: a chain with a refused op ends before it, the rest fail with ECANCELED, and nothing is linked to later SQEs", async () => {
  const data = pattern(8, 11);
  const [write, refused, after] = await ring.link([new Write(pipeWrite, data), throwingOp, new Nop()]);
  assert.equal(write.status, "fulfilled");
  assert.equal((write as PromiseFulfilledResult<number>).value, 8);
  assert.equal(refused.status, "rejected");
  assert.match((refused as PromiseRejectedResult).reason.message, /prep failed on purpose/);
  assert.equal(after.status, "rejected");
  assert.equal((after as PromiseRejectedResult).reason.code, "ECANCELED");
  // Had the write kept IOSQE_IO_LINK, this read would be linked to it; it must run on its own.
  const back = new Uint8Array(8);
  assert.equal(await ring.read(pipeRead, back), 8);
  assert.deepEqual(back, data);
  await assertRingWorks("after a cut chain");
});

test("bad input: a SharedArrayBuffer is accepted (fixed memory) and the kernel reads and writes it", async () => {
  const shared = new SharedArrayBuffer(32);
  const data = pattern(32, 17);
  new Uint8Array(shared).set(data);
  assert.equal(await ring.write(pipeWrite, shared), 32);
  const into = new SharedArrayBuffer(32);
  assert.equal(await ring.read(pipeRead, new Int32Array(into)), 32);
  assert.deepEqual(new Uint8Array(into), data);
  assert.equal(await ring.readv(file, [new Uint8Array(new SharedArrayBuffer(16))], 0), 16);
  await assertRingWorks("shared memory");
});

test("bad input: a read of 0 bytes and an empty buffer are not errors", async () => {
  assert.equal(await ring.read(file, new Uint8Array(0), 0), 0);
  assert.equal(await ring.read(file, new Uint8Array(8), 0, { length: 0 }), 0);
  assert.equal(await ring.write(pipeWrite, new ArrayBuffer(0)), 0);
  await assertRingWorks("empty buffers");
});

test("bad input: the largest ring (IORING_MAX_ENTRIES) is accepted", async () => {
  await using big = new IoRing({ entries: IORING_MAX_ENTRIES });
  assert.equal(big.sqEntries, IORING_MAX_ENTRIES);
  assert.equal(await big.nop(), 0);
});

test("bad input: a closed ring refuses every call with EBADF, and closing again is harmless", async () => {
  const closed = new IoRing({ entries: 4 });
  await closed.close();
  const closedCases: [string, () => unknown, string][] = [
    ["nop", () => closed.nop(), "nop"],
    ["read", () => closed.read(file, new Uint8Array(8)), "read"],
    ["run", () => closed.run(new Nop()), "nop"],
    ["link", () => closed.link([new Nop()]), "link"],
    ["prepare", () => closed.prepare(new Nop(), 1), "nop"],
    ["registerFiles", () => closed.registerFiles([file]), "io_uring_register"],
    ["registerBuffers", () => closed.registerBuffers([new Uint8Array(8)]), "io_uring_register"],
    [
      "BufferRing.register",
      () => BufferRing.register(closed, { group: 1, entries: 4, size: 8 }),
      "io_uring_register",
    ],
    [
      "FixedBufferPool.register",
      () => FixedBufferPool.register(closed, { count: 1, size: 8 }),
      "io_uring_register",
    ],
    ["mapRing", () => closed.mapRing(0, 64), "mmap"],
    ["cancelAll", () => closed.cancelAll(), "async_cancel"],
  ];
  for (const [name, call, op] of closedCases) {
    let outcome: unknown;
    try {
      outcome = call();
    } catch (error) {
      outcome = Promise.reject(error);
    }
    const { error } = await settle(outcome);
    assert.ok(error instanceof IoRingError, `${name} on a closed ring: ${String(error)}`);
    assert.equal(error.code, "EBADF", name);
    assert.equal(error.op, op, name);
  }
  assert.equal(closed.submit(), 0);
  assert.equal(closed.forEachCompletion(() => {}), 0);
  await closed.close();
  await closed.close();
  closed[Symbol.dispose]();
  assert.equal(closed.closed, true);
});

test("bad input: the shared ring survived every case and closes cleanly", async () => {
  await assertRingWorks("the end");
  buffers.unregister();
  pool.unregister();
  await ring.close();
  assert.equal(ring.inflight, 0);
  closeFds(pipeRead, pipeWrite, socket, peer, listener, file);
  dir.remove();
});
