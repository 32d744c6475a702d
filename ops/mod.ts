/**
 * One builder per io_uring opcode. A builder is a small typed object: required
 * fields in the constructor, optional ones in an options object, `IOSQE_*`
 * flags, ioprio and personality as chainable setters. Queue it with
 * `ring.prepare(op, userData)` or run it with `await ring.run(op)`.
 *
 * @example
 * ```ts
 * import { IoRing, Nop } from "@ioring/ioring";
 * using ring = new IoRing();
 * console.log(await ring.run(new Nop())); // 0
 * ```
 *
 * @module
 */
export { type Op, OpBase } from "./op.ts";
export { FixedFile } from "./fixed_file.ts";
export type { BufferSource } from "./_memory.ts";
export { Nop } from "./nop.ts";
export { Read, type ReadWriteOptions } from "./read.ts";
export { Write } from "./write.ts";
export { Readv, type VectoredOptions } from "./readv.ts";
export { Writev } from "./writev.ts";
export { Fsync, type FsyncOptions } from "./fsync.ts";
export { Openat, type OpenatOptions } from "./openat.ts";
export { Close } from "./close.ts";
export { Splice, type SpliceOptions } from "./splice.ts";
export { decodeStatx, Statx, type StatxOptions, type StatxResult } from "./statx.ts";
export { encodeTimespec, Timeout, type TimeoutOptions, type TimeSpec } from "./timeout.ts";
