/**
 * {@link RegistrationMethods}: what a ring keeps registered with the kernel (a file table, pinned
 * buffers, provided buffer groups) and the ops that use or change it.
 *
 * @module
 */
import { FixedFile } from "../sqe/fixed_file.ts";
import { type BufferSource, encodeIovecs } from "../memory/buffers.ts";
import { checkU32 } from "../util/checks.ts";
import { IoRingError } from "../util/error.ts";
import {
  IORING_REGISTER_BUFFERS,
  IORING_REGISTER_BUFFERS2,
  IORING_REGISTER_BUFFERS_UPDATE,
  IORING_REGISTER_FILE_ALLOC_RANGE,
  IORING_REGISTER_FILES,
  IORING_REGISTER_FILES2,
  IORING_REGISTER_FILES_UPDATE2,
  IORING_RSRC_REGISTER_SPARSE,
  IORING_UNREGISTER_BUFFERS,
  IORING_UNREGISTER_FILES,
} from "../kernel/constants.ts";
import { FILE_INDEX_RANGE, RSRC_REGISTER, RSRC_UPDATE2 } from "../kernel/layout.ts";
import type { RunOptions } from "../ring/core.ts";
import type { ReadWriteOptions } from "../ops/read.ts";
import { ReadFixed } from "../ops/read_fixed.ts";
import { WriteFixed } from "../ops/write_fixed.ts";
import { ProvideBuffers, type ProvideBuffersOptions } from "../ops/provide_buffers.ts";
import { RemoveBuffers } from "../ops/remove_buffers.ts";
import { FilesUpdate } from "../ops/files_update.ts";
import { FixedFdInstall, type FixedFdInstallOptions } from "../ops/fixed_fd_install.ts";
import { ControlMethods } from "./control_methods.ts";
import { bufferList, encodeTags, fileTable, rsrcRegisterArg, rsrcUpdateArg } from "./_register_args.ts";

/**
 * {@link IoRing}'s registered resources: the file table ({@link FixedFile}s, direct descriptors), the
 * registered (pinned) buffers of READ_FIXED and WRITE_FIXED, and the buffer groups of PROVIDE_BUFFERS.
 * Registration calls are synchronous (`io_uring_register(2)`); the ops that do the same through the
 * submission queue return promises. Use it through {@link IoRing}.
 *
 * @example
 * ```ts
 * import { IoRing } from "@ioring/ioring";
 * using ring = new IoRing();
 * const [file] = ring.registerFiles([await ring.openat("/etc/hostname")]);
 * console.log(await ring.read(file, new Uint8Array(64), 0) > 0); // true
 * ```
 */
export class RegistrationMethods extends ControlMethods {
  #fixedBuffers: Uint8Array[] = []; // registered buffers stay referenced while the kernel holds them pinned

  #rsrcRegister(
    opcode: number,
    name: string,
    count: number,
    flags: number,
    data: ArrayBufferView | null,
    tags?: readonly number[],
    legacy?: { opcode: number; name: string },
  ): void {
    const tagWords = encodeTags(tags, count, name);
    const arg = rsrcRegisterArg(count, flags, data, tagWords);
    try {
      this.register(opcode, name, arg, RSRC_REGISTER.size);
    } catch (error) {
      // A ring restricted in liburing's terms allows IORING_REGISTER_FILES/BUFFERS, not their "2" forms:
      // the plain form does the same registration when there are no tags and no sparse table.
      if (!(error instanceof IoRingError) || error.code !== "EACCES" || legacy === undefined) throw error;
      if (tagWords !== null || flags !== 0 || data === null) throw error;
      this.register(legacy.opcode, legacy.name, data, count);
    }
  }

  #rsrcUpdate(
    opcode: number,
    name: string,
    offset: number,
    count: number,
    data: ArrayBufferView,
    tags?: readonly number[],
  ): number {
    checkU32(offset, name, "offset");
    const arg = rsrcUpdateArg(offset, count, data, encodeTags(tags, count, name));
    return this.register(opcode, name, arg, RSRC_UPDATE2.size);
  }

  /**
   * Registers files with the ring (IORING_REGISTER_FILES2, 5.13; on a ring whose restrictions allow only
   * IORING_REGISTER_FILES, as liburing's `io_uring_register_files` needs, that one, without tags): ops given the returned
   * {@link FixedFile}s skip the per-op fd lookup. -1 leaves a slot empty. With `tags`, the ring posts a
   * completion with `userData` = the slot's tag when the kernel lets go of that file (a later
   * update or unregister); read it from `completions()`. Throws {@link IoRingError} if the kernel refuses.
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * const fd = await ring.openat("/etc/hostname");
   * const [file] = ring.registerFiles([fd]);
   * console.log(await ring.read(file, new Uint8Array(64), 0) > 0); // true
   * ring.unregisterFiles();
   * ```
   */
  registerFiles(fds: readonly number[], options: { tags?: readonly number[] } = {}): FixedFile[] {
    const table = fileTable(fds, "register files");
    this.#rsrcRegister(
      IORING_REGISTER_FILES2,
      "IORING_REGISTER_FILES2",
      table.length,
      0,
      table,
      options.tags,
      { opcode: IORING_REGISTER_FILES, name: "IORING_REGISTER_FILES" },
    );
    return Array.from(table, (_, i) => new FixedFile(i));
  }

  /**
   * Registers an empty file table of `count` slots (IORING_RSRC_REGISTER_SPARSE, 5.19), to be filled by
   * {@link RegistrationMethods.updateFiles} or by ops that open or accept straight into a slot.
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * const slots = ring.registerSparseFiles(64);
   * console.log(slots.length); // 64
   * ```
   */
  registerSparseFiles(count: number): FixedFile[] {
    if (!Number.isInteger(count) || count < 1 || count > 0xffffffff) {
      throw new RangeError(`Cannot register files: count must be an integer >= 1: current value is ${count}`);
    }
    this.#rsrcRegister(
      IORING_REGISTER_FILES2,
      "IORING_REGISTER_FILES2",
      count,
      IORING_RSRC_REGISTER_SPARSE,
      null,
    );
    return Array.from({ length: count }, (_, i) => new FixedFile(i));
  }

  /**
   * Replaces slots `offset…` of the file table (IORING_REGISTER_FILES_UPDATE2, 5.13): -1 empties a slot,
   * IORING_REGISTER_FILES_SKIP (-2) leaves it. Returns how many slots were updated.
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * ring.registerSparseFiles(4);
   * const fd = await ring.openat("/etc/hostname");
   * console.log(ring.updateFiles(2, [fd])); // 1
   * ```
   */
  updateFiles(offset: number, fds: readonly number[], options: { tags?: readonly number[] } = {}): number {
    if (!Number.isInteger(offset) || offset < 0 || offset > 0xffffffff) {
      throw new RangeError(`Cannot update files: offset must be an integer >= 0: current value is ${offset}`);
    }
    const table = fileTable(fds, "update files");
    return this.#rsrcUpdate(
      IORING_REGISTER_FILES_UPDATE2,
      "IORING_REGISTER_FILES_UPDATE2",
      offset,
      table.length,
      table,
      options.tags,
    );
  }

  /**
   * Drops the file table (IORING_UNREGISTER_FILES); ops on its slots then fail (EBADF or ENXIO).
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * ring.registerSparseFiles(4);
   * ring.unregisterFiles();
   * ```
   */
  unregisterFiles(): void {
    this.register(IORING_UNREGISTER_FILES, "IORING_UNREGISTER_FILES", null, 0);
  }

  /**
   * Limits the slots the kernel picks for IORING_FILE_INDEX_ALLOC to `offset…offset+length-1`
   * (IORING_REGISTER_FILE_ALLOC_RANGE, 6.0).
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * ring.registerSparseFiles(16);
   * ring.registerFileAllocRange(8, 8);
   * ```
   */
  registerFileAllocRange(offset: number, length: number): void {
    checkU32(offset, "register the file alloc range", "offset");
    checkU32(length, "register the file alloc range", "length");
    const arg = new Uint32Array(FILE_INDEX_RANGE.size / 4);
    arg[FILE_INDEX_RANGE.off / 4] = offset;
    arg[FILE_INDEX_RANGE.len / 4] = length;
    this.register(IORING_REGISTER_FILE_ALLOC_RANGE, "IORING_REGISTER_FILE_ALLOC_RANGE", arg, 0);
  }

  /**
   * Replaces registered-file slots from `offset` through the SQ (FILES_UPDATE, 5.6); resolves with how
   * many were updated. {@link RegistrationMethods.updateFiles} does the same synchronously.
   *
   * @example
   * ```ts ignore
   * await ring.filesUpdate([fd], 3);
   * ```
   */
  filesUpdate(fds: readonly number[], offset: number, options?: RunOptions): Promise<number> {
    return this.runBuilt(() => new FilesUpdate(fds, offset), options);
  }

  /**
   * Turns a registered file (a direct descriptor) into a regular fd (FIXED_FD_INSTALL, 6.8); resolves with it.
   *
   * @example
   * ```ts ignore
   * const fd = await ring.fixedFdInstall(new FixedFile(2));
   * ```
   */
  fixedFdInstall(file: FixedFile, options?: FixedFdInstallOptions & RunOptions): Promise<number> {
    return this.runBuilt(() => new FixedFdInstall(file, options), options);
  }

  /**
   * Registers (pins) buffers with the ring (IORING_REGISTER_BUFFERS2, 5.13; IORING_REGISTER_BUFFERS on a ring
   * whose restrictions allow only that one, without tags): READ_FIXED/WRITE_FIXED and the
   * fixed-buffer sends name them by index (their position here) and skip per-op page pinning. The ring
   * keeps them referenced until {@link RegistrationMethods.unregisterBuffers}. Pinned memory counts against
   * RLIMIT_MEMLOCK on older kernels; the error says so.
   *
   * @example
   * ```ts
   * import { IoRing, ReadFixed } from "@ioring/ioring";
   * using ring = new IoRing();
   * const memory = new Uint8Array(4096);
   * ring.registerBuffers([memory]);
   * const fd = await ring.openat("/etc/hostname");
   * console.log(await ring.run(new ReadFixed(fd, memory, 0, 0)) > 0); // true
   * ```
   */
  registerBuffers(buffers: readonly BufferSource[], options: { tags?: readonly number[] } = {}): void {
    const views = bufferList(buffers, "register buffers");
    const iovecs = encodeIovecs(views);
    this.#rsrcRegister(
      IORING_REGISTER_BUFFERS2,
      "IORING_REGISTER_BUFFERS2",
      views.length,
      0,
      iovecs,
      options.tags,
      { opcode: IORING_REGISTER_BUFFERS, name: "IORING_REGISTER_BUFFERS" },
    );
    this.#fixedBuffers = views;
  }

  /**
   * Registers an empty buffer table of `count` slots (IORING_RSRC_REGISTER_SPARSE, 5.19), to be filled by
   * {@link RegistrationMethods.updateBuffers}.
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * ring.registerSparseBuffers(16);
   * console.log(ring.updateBuffers(3, [new Uint8Array(4096)])); // 1
   * ```
   */
  registerSparseBuffers(count: number): void {
    if (!Number.isInteger(count) || count < 1 || count > 16384) {
      throw new RangeError(
        `Cannot register buffers: count must be an integer from 1 to 16384: current value is ${count}`,
      );
    }
    this.#rsrcRegister(
      IORING_REGISTER_BUFFERS2,
      "IORING_REGISTER_BUFFERS2",
      count,
      IORING_RSRC_REGISTER_SPARSE,
      null,
    );
    this.#fixedBuffers = [];
  }

  /**
   * Replaces registered buffers `offset…` (IORING_REGISTER_BUFFERS_UPDATE, 5.13). Returns how many were updated.
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * ring.registerBuffers([new Uint8Array(4096), new Uint8Array(4096)]);
   * console.log(ring.updateBuffers(1, [new Uint8Array(8192)])); // 1
   * ```
   */
  updateBuffers(
    offset: number,
    buffers: readonly BufferSource[],
    options: { tags?: readonly number[] } = {},
  ): number {
    const views = bufferList(buffers, "update buffers");
    const updated = this.#rsrcUpdate(
      IORING_REGISTER_BUFFERS_UPDATE,
      "IORING_REGISTER_BUFFERS_UPDATE",
      offset,
      views.length,
      encodeIovecs(views),
      options.tags,
    );
    views.forEach((view, i) => (this.#fixedBuffers[offset + i] = view));
    return updated;
  }

  /**
   * Unpins every registered buffer (IORING_UNREGISTER_BUFFERS) and lets go of them.
   *
   * @example
   * ```ts
   * import { IoRing } from "@ioring/ioring";
   * using ring = new IoRing();
   * ring.registerBuffers([new Uint8Array(4096)]);
   * ring.unregisterBuffers();
   * ```
   */
  unregisterBuffers(): void {
    this.register(IORING_UNREGISTER_BUFFERS, "IORING_UNREGISTER_BUFFERS", null, 0);
    this.#fixedBuffers = [];
  }

  /**
   * Reads into registered buffer `bufIndex` (`buffer` is a view inside it) from `fd` (READ_FIXED, 5.1).
   * {@link FixedBufferPool} hands out buffers that carry their index.
   *
   * @example
   * ```ts ignore
   * const n = await ring.readFixed(fd, registered.subarray(0, 4096), 0, 0);
   * ```
   */
  readFixed(
    fd: number | FixedFile,
    buffer: BufferSource,
    bufIndex: number,
    offset = -1,
    options?: ReadWriteOptions & RunOptions,
  ): Promise<number> {
    return this.runBuilt(() => new ReadFixed(fd, buffer, bufIndex, offset, options), options);
  }

  /**
   * Writes from registered buffer `bufIndex` (`buffer` is a view inside it) to `fd` (WRITE_FIXED, 5.1).
   *
   * @example
   * ```ts ignore
   * await ring.writeFixed(fd, registered.subarray(0, n), 0, 0);
   * ```
   */
  writeFixed(
    fd: number | FixedFile,
    buffer: BufferSource,
    bufIndex: number,
    offset = -1,
    options?: ReadWriteOptions & RunOptions,
  ): Promise<number> {
    return this.runBuilt(() => new WriteFixed(fd, buffer, bufIndex, offset, options), options);
  }

  /**
   * Hands the kernel `count` buffers of `size` bytes carved from `memory` as buffer group `group`
   * (PROVIDE_BUFFERS, 5.7); resolves with how many were added.
   *
   * @example
   * ```ts ignore
   * await ring.provideBuffers(new Uint8Array(16 * 4096), 1, 4096);
   * ```
   */
  provideBuffers(
    memory: BufferSource,
    group: number,
    size: number,
    options?: ProvideBuffersOptions & RunOptions,
  ): Promise<number> {
    return this.runBuilt(() => new ProvideBuffers(memory, group, size, options), options);
  }

  /**
   * Takes back up to `count` unused buffers of group `group` (REMOVE_BUFFERS, 5.7); resolves with how many.
   *
   * @example
   * ```ts ignore
   * const removed = await ring.removeBuffers(1, 16);
   * ```
   */
  removeBuffers(group: number, count: number, options?: RunOptions): Promise<number> {
    return this.runBuilt(() => new RemoveBuffers(group, count), options);
  }
}
