/**
 * {@link FileSystemMethods}: files beyond reading and writing them: opening with resolve rules, space,
 * length, flushing a range, access advice, names and links, extended attributes.
 *
 * @module
 */
import type { FixedFile } from "../sqe/fixed_file.ts";
import type { BufferSource } from "../memory/buffers.ts";
import type { RunOptions } from "../ring/core.ts";
import { Openat2, type Openat2Options } from "../ops/openat2.ts";
import { Fallocate, type FallocateOptions } from "../ops/fallocate.ts";
import { Ftruncate } from "../ops/ftruncate.ts";
import { SyncFileRange, type SyncFileRangeOptions } from "../ops/sync_file_range.ts";
import { Fadvise } from "../ops/fadvise.ts";
import { Madvise } from "../ops/madvise.ts";
import { Renameat, type RenameatOptions } from "../ops/renameat.ts";
import { Unlinkat, type UnlinkatOptions } from "../ops/unlinkat.ts";
import { Mkdirat, type MkdiratOptions } from "../ops/mkdirat.ts";
import { Symlinkat, type SymlinkatOptions } from "../ops/symlinkat.ts";
import { Linkat, type LinkatOptions } from "../ops/linkat.ts";
import { Getxattr } from "../ops/getxattr.ts";
import { Setxattr } from "../ops/setxattr.ts";
import { Fgetxattr, type GetxattrOptions } from "../ops/fgetxattr.ts";
import { Fsetxattr, type SetxattrOptions } from "../ops/fsetxattr.ts";
import { RegistrationMethods } from "./registration_methods.ts";

/**
 * {@link IoRing}'s file-system methods, one per opcode, each resolving once the kernel has done it:
 * openat2, fallocate, ftruncate, sync_file_range, fadvise, madvise, renameat, unlinkat, mkdirat,
 * symlinkat, linkat and the xattr calls. Use it through {@link IoRing}.
 *
 * @example
 * ```ts
 * import { IoRing } from "@ioring/ioring";
 * using ring = new IoRing();
 * const dir = Deno.makeTempDirSync();
 * await ring.mkdirat(`${dir}/logs`);
 * await ring.renameat(`${dir}/logs`, `${dir}/old-logs`);
 * console.log((await ring.statx(`${dir}/old-logs`)).isDirectory); // true
 * ```
 */
export class FileSystemMethods extends RegistrationMethods {
  /**
   * Opens `path` with openat2(2)'s `struct open_how` (resolve flags such as RESOLVE_BENEATH); resolves with the fd.
   *
   * @example
   * ```ts ignore
   * import { RESOLVE_BENEATH } from "@ioring/ioring/constants";
   * const fd = await ring.openat2("data/file.txt", { dirfd: root, resolve: RESOLVE_BENEATH });
   * ```
   */
  openat2(path: string | URL, options?: Openat2Options & RunOptions): Promise<number> {
    return this.runBuilt(() => new Openat2(path, options), options);
  }

  /**
   * Allocates or punches space in a file (fallocate(2)).
   *
   * @example
   * ```ts ignore
   * await ring.fallocate(fd, 0, 1 << 20);
   * ```
   */
  async fallocate(
    fd: number | FixedFile,
    offset: number,
    length: number,
    options?: FallocateOptions & RunOptions,
  ): Promise<void> {
    await this.runBuilt(() => new Fallocate(fd, offset, length, options), options);
  }

  /**
   * Sets a file's length (ftruncate(2), FTRUNCATE op 6.9).
   *
   * @example
   * ```ts ignore
   * await ring.ftruncate(fd, 0);
   * ```
   */
  async ftruncate(fd: number | FixedFile, length: number, options?: RunOptions): Promise<void> {
    await this.runBuilt(() => new Ftruncate(fd, length), options);
  }

  /**
   * Flushes a range of a file (sync_file_range(2)).
   *
   * @example
   * ```ts ignore
   * await ring.syncFileRange(fd, 0, 4096);
   * ```
   */
  async syncFileRange(
    fd: number | FixedFile,
    offset?: number,
    length?: number,
    options?: SyncFileRangeOptions & RunOptions,
  ): Promise<void> {
    await this.runBuilt(() => new SyncFileRange(fd, offset, length, options), options);
  }

  /**
   * Tells the kernel how a file range will be used (posix_fadvise(2)).
   *
   * @example
   * ```ts ignore
   * import { POSIX_FADV_SEQUENTIAL } from "@ioring/ioring/constants";
   * await ring.fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
   * ```
   */
  async fadvise(
    fd: number | FixedFile,
    offset: number,
    length: number,
    advice: number,
    options?: RunOptions,
  ): Promise<void> {
    await this.runBuilt(() => new Fadvise(fd, offset, length, advice), options);
  }

  /**
   * Tells the kernel how memory will be used (madvise(2)).
   *
   * @example
   * ```ts ignore
   * import { MADV_SEQUENTIAL } from "@ioring/ioring/constants";
   * await ring.madvise(buffer, MADV_SEQUENTIAL);
   * ```
   */
  async madvise(buffer: BufferSource, advice: number, options?: RunOptions): Promise<void> {
    await this.runBuilt(() => new Madvise(buffer, advice), options);
  }

  /**
   * Renames a file or directory (renameat2(2)).
   *
   * @example
   * ```ts ignore
   * await ring.renameat("old.txt", "new.txt");
   * ```
   */
  async renameat(
    oldPath: string | URL,
    newPath: string | URL,
    options?: RenameatOptions & RunOptions,
  ): Promise<void> {
    await this.runBuilt(() => new Renameat(oldPath, newPath, options), options);
  }

  /**
   * Removes a file, or a directory with `{ flags: AT_REMOVEDIR }` (unlinkat(2)).
   *
   * @example
   * ```ts ignore
   * await ring.unlinkat("old.txt");
   * ```
   */
  async unlinkat(path: string | URL, options?: UnlinkatOptions & RunOptions): Promise<void> {
    await this.runBuilt(() => new Unlinkat(path, options), options);
  }

  /**
   * Creates a directory (mkdirat(2)).
   *
   * @example
   * ```ts ignore
   * await ring.mkdirat("logs", { mode: 0o755 });
   * ```
   */
  async mkdirat(path: string | URL, options?: MkdiratOptions & RunOptions): Promise<void> {
    await this.runBuilt(() => new Mkdirat(path, options), options);
  }

  /**
   * Creates a symbolic link at `linkPath` pointing to `target` (symlinkat(2)).
   *
   * @example
   * ```ts ignore
   * await ring.symlinkat("data.txt", "latest");
   * ```
   */
  async symlinkat(
    target: string | URL,
    linkPath: string | URL,
    options?: SymlinkatOptions & RunOptions,
  ): Promise<void> {
    await this.runBuilt(() => new Symlinkat(target, linkPath, options), options);
  }

  /**
   * Creates a hard link (linkat(2)).
   *
   * @example
   * ```ts ignore
   * await ring.linkat("data.txt", "data-copy.txt");
   * ```
   */
  async linkat(
    oldPath: string | URL,
    newPath: string | URL,
    options?: LinkatOptions & RunOptions,
  ): Promise<void> {
    await this.runBuilt(() => new Linkat(oldPath, newPath, options), options);
  }

  /**
   * Reads an extended attribute of a path (getxattr(2)); resolves with its value.
   *
   * @example
   * ```ts ignore
   * const value = await ring.getxattr("file.txt", "user.origin");
   * ```
   */
  getxattr(
    path: string | URL,
    name: string,
    options?: GetxattrOptions & RunOptions,
  ): Promise<Uint8Array> {
    return this.runBuilt(() => new Getxattr(path, name, options), options, (res, op) => op.result(res));
  }

  /**
   * Sets an extended attribute of a path (setxattr(2)).
   *
   * @example
   * ```ts ignore
   * await ring.setxattr("file.txt", "user.origin", new TextEncoder().encode("upload"));
   * ```
   */
  async setxattr(
    path: string | URL,
    name: string,
    value: BufferSource,
    options?: SetxattrOptions & RunOptions,
  ): Promise<void> {
    await this.runBuilt(() => new Setxattr(path, name, value, options), options);
  }

  /**
   * Reads an extended attribute of an open file (fgetxattr(2)); resolves with its value.
   *
   * @example
   * ```ts ignore
   * const value = await ring.fgetxattr(fd, "user.origin");
   * ```
   */
  fgetxattr(
    fd: number | FixedFile,
    name: string,
    options?: GetxattrOptions & RunOptions,
  ): Promise<Uint8Array> {
    return this.runBuilt(() => new Fgetxattr(fd, name, options), options, (res, op) => op.result(res));
  }

  /**
   * Sets an extended attribute of an open file (fsetxattr(2)).
   *
   * @example
   * ```ts ignore
   * await ring.fsetxattr(fd, "user.origin", new TextEncoder().encode("upload"));
   * ```
   */
  async fsetxattr(
    fd: number | FixedFile,
    name: string,
    value: BufferSource,
    options?: SetxattrOptions & RunOptions,
  ): Promise<void> {
    await this.runBuilt(() => new Fsetxattr(fd, name, value, options), options);
  }
}
