// File, path, xattr, memory, pipe and registered-resource operations against real files and pipes,
// and the exact SQE bytes each builder writes, word by word, as liburing's io_uring_prep_* would.
import assert from "node:assert/strict";
import {
  existsSync,
  lstatSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import process from "node:process";
import {
  AT_FDCWD,
  AT_REMOVEDIR,
  IoRing,
  IoRingError,
  IOSQE_FIXED_FILE,
  O_CLOEXEC,
  O_CREAT,
  O_DIRECTORY,
  O_NONBLOCK,
  O_RDWR,
  O_WRONLY,
} from "../mod.ts";
import {
  AT_SYMLINK_FOLLOW,
  FALLOC_FL_KEEP_SIZE,
  FALLOC_FL_PUNCH_HOLE,
  IORING_FILE_INDEX_ALLOC,
  IORING_FIXED_FD_NO_CLOEXEC,
  IORING_OP_FADVISE,
  IORING_OP_FALLOCATE,
  IORING_OP_FGETXATTR,
  IORING_OP_FILES_UPDATE,
  IORING_OP_FIXED_FD_INSTALL,
  IORING_OP_FSETXATTR,
  IORING_OP_FTRUNCATE,
  IORING_OP_GETXATTR,
  IORING_OP_LINKAT,
  IORING_OP_MADVISE,
  IORING_OP_MKDIRAT,
  IORING_OP_OPENAT2,
  IORING_OP_PIPE,
  IORING_OP_READ_FIXED,
  IORING_OP_READV_FIXED,
  IORING_OP_RENAMEAT,
  IORING_OP_SETXATTR,
  IORING_OP_SYMLINKAT,
  IORING_OP_SYNC_FILE_RANGE,
  IORING_OP_TEE,
  IORING_OP_UNLINKAT,
  IORING_OP_WRITE_FIXED,
  IORING_OP_WRITEV_FIXED,
  IORING_REGISTER_BUFFERS,
  IORING_UNREGISTER_BUFFERS,
  MADV_DONTNEED,
  MADV_FREE,
  MADV_WILLNEED,
  POSIX_FADV_DONTNEED,
  POSIX_FADV_WILLNEED,
  RENAME_EXCHANGE,
  RENAME_NOREPLACE,
  RESOLVE_BENEATH,
  RESOLVE_NO_SYMLINKS,
  SPLICE_F_FD_IN_FIXED,
  SPLICE_F_NONBLOCK,
  SYNC_FILE_RANGE_WRITE,
  SYNC_FILE_RANGE_WRITE_AND_WAIT,
  XATTR_CREATE,
  XATTR_REPLACE,
} from "../kernel/constants.ts";
import * as constants from "../kernel/constants.ts";
import { registerFiles } from "./_net_util.ts";
import { FixedFile } from "../sqe/fixed_file.ts";
import { Read } from "../ops/read.ts";
import { ReadFixed } from "../ops/read_fixed.ts";
import { WriteFixed } from "../ops/write_fixed.ts";
import { ReadvFixed } from "../ops/readv_fixed.ts";
import { WritevFixed } from "../ops/writev_fixed.ts";
import { SyncFileRange } from "../ops/sync_file_range.ts";
import { Fallocate } from "../ops/fallocate.ts";
import { Fadvise } from "../ops/fadvise.ts";
import { Madvise } from "../ops/madvise.ts";
import { Openat2 } from "../ops/openat2.ts";
import { Renameat } from "../ops/renameat.ts";
import { Unlinkat } from "../ops/unlinkat.ts";
import { Mkdirat } from "../ops/mkdirat.ts";
import { Symlinkat } from "../ops/symlinkat.ts";
import { Linkat } from "../ops/linkat.ts";
import { Fsetxattr } from "../ops/fsetxattr.ts";
import { Setxattr } from "../ops/setxattr.ts";
import { Fgetxattr } from "../ops/fgetxattr.ts";
import { Getxattr } from "../ops/getxattr.ts";
import { Ftruncate } from "../ops/ftruncate.ts";
import { Tee } from "../ops/tee.ts";
import { FilesUpdate } from "../ops/files_update.ts";
import { FixedFdInstall } from "../ops/fixed_fd_install.ts";
import { Pipe } from "../ops/pipe.ts";
import { test } from "./_harness.ts";
import { assertSqe, prepWords, sqeWords, u64 } from "./_sqe.ts";
import { closeFds, n, needsOps, pattern, pipe, tempDir } from "./_util.ts";
import { EAGAIN } from "../kernel/errno.ts";

// ---- helpers -------------------------------------------------------------------------------

const F_GETFD = 1;
const F_GETFL = 3;
const FD_CLOEXEC = 1;
const encode = (text: string) => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const address = (view: ArrayBufferView) => n.addressOf(view);

const needs = needsOps;

/** Whether the filesystem under the temp directory takes user.* xattrs, probed once by a SETXATTR. */
const xattrSkip: string | false = await (async () => {
  const opSkip = needs(IORING_OP_SETXATTR, IORING_OP_GETXATTR, IORING_OP_FSETXATTR, IORING_OP_FGETXATTR);
  if (opSkip) return opSkip;
  const dir = tempDir();
  await using ring = new IoRing({ entries: 2 });
  try {
    const res = await ring.run(new Setxattr(dir.file("probe", ""), "user.probe", encode("1"))).catch((e) =>
      e
    );
    if (res instanceof IoRingError && res.code === "EOPNOTSUPP") {
      return "the filesystem of the temp directory refuses user.* xattrs (EOPNOTSUPP)";
    }
    return false;
  } finally {
    dir.remove();
  }
})();

function rejectsWith(promise: Promise<unknown>, code: string, op?: string): Promise<void> {
  return assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof IoRingError, `expected an IoRingError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (op !== undefined) assert.equal(error.op, op);
    return true;
  });
}

/** Registers `views` as the ring's fixed buffers 0, 1, ... */
function registerBuffers(ring: IoRing, ...views: Uint8Array[]): void {
  const iovecs = new Uint32Array(views.length * 4);
  views.forEach((view, i) => {
    [iovecs[i * 4], iovecs[i * 4 + 1]] = u64(address(view));
    iovecs[i * 4 + 2] = view.byteLength;
  });
  assert.equal(
    n.register(ring.fd, IORING_REGISTER_BUFFERS, iovecs, views.length),
    0,
    "IORING_REGISTER_BUFFERS",
  );
}

// ---- paths -----------------------------------------------------------------------------------

test(
  "renameat moves a name, refuses to replace with RENAME_NOREPLACE and swaps with RENAME_EXCHANGE",
  async () => {
    const dir = tempDir();
    await using ring = new IoRing();
    try {
      const a = dir.file("a", "A");
      const b = join(dir.path, "b");
      assert.equal(await ring.run(new Renameat(a, b)), 0);
      assert.equal(existsSync(a), false, "the old name is gone");
      assert.equal(readFileSync(b, "utf8"), "A");
      const c = dir.file("c", "C");
      await assert.rejects(
        ring.run(new Renameat(c, b, { flags: RENAME_NOREPLACE })),
        (e: IoRingError) => e.code === "EEXIST" && e.op === "renameat" && e.path === c,
      );
      assert.equal(readFileSync(b, "utf8"), "A", "NOREPLACE left the target alone");
      assert.equal(await ring.run(new Renameat(c, b, { flags: RENAME_EXCHANGE })), 0);
      assert.equal(readFileSync(b, "utf8"), "C");
      assert.equal(readFileSync(c, "utf8"), "A");
      const dirfd = await ring.openat(dir.path, { flags: O_DIRECTORY });
      assert.equal(await ring.run(new Renameat("b", "d", { oldDirfd: dirfd, newDirfd: dirfd })), 0);
      assert.equal(readFileSync(join(dir.path, "d"), "utf8"), "C", "relative names start at the dirfds");
      await rejectsWith(ring.run(new Renameat(join(dir.path, "missing"), b)), "ENOENT", "renameat");
      await ring.close(dirfd);
    } finally {
      dir.remove();
    }
  },
  { skip: needs(IORING_OP_RENAMEAT) },
);

test("unlinkat removes a file, and an empty directory only with AT_REMOVEDIR", async () => {
  const dir = tempDir();
  await using ring = new IoRing();
  try {
    const file = dir.file("f", "x");
    assert.equal(await ring.run(new Unlinkat(file)), 0);
    assert.equal(existsSync(file), false);
    await rejectsWith(ring.run(new Unlinkat(file)), "ENOENT", "unlinkat");
    const sub = join(dir.path, "sub");
    assert.equal(await ring.run(new Mkdirat(sub)), 0);
    await rejectsWith(ring.run(new Unlinkat(sub)), "EISDIR");
    writeFileSync(join(sub, "inner"), "y");
    await rejectsWith(ring.run(new Unlinkat(sub, { flags: AT_REMOVEDIR })), "ENOTEMPTY");
    const dirfd = await ring.openat(sub, { flags: O_DIRECTORY });
    assert.equal(await ring.run(new Unlinkat("inner", { dirfd })), 0, "relative to the dirfd");
    await ring.close(dirfd);
    assert.equal(await ring.run(new Unlinkat(sub, { flags: AT_REMOVEDIR })), 0);
    assert.equal(existsSync(sub), false);
  } finally {
    dir.remove();
  }
}, { skip: needs(IORING_OP_UNLINKAT, IORING_OP_MKDIRAT) });

test("mkdirat creates a directory with the mode asked for, less the umask", async () => {
  const dir = tempDir();
  await using ring = new IoRing();
  try {
    const sub = join(dir.path, "made");
    assert.equal(await ring.run(new Mkdirat(sub, { mode: 0o751 })), 0);
    const st = statSync(sub);
    assert.ok(st.isDirectory());
    assert.equal(st.mode & 0o777, 0o751 & ~process.umask());
    await rejectsWith(ring.run(new Mkdirat(sub)), "EEXIST", "mkdirat");
    const dirfd = await ring.openat(sub, { flags: O_DIRECTORY });
    assert.equal(await ring.run(new Mkdirat("inner", { dirfd })), 0);
    assert.ok(statSync(join(sub, "inner")).isDirectory(), "relative to the dirfd");
    await ring.close(dirfd);
  } finally {
    dir.remove();
  }
}, { skip: needs(IORING_OP_MKDIRAT) });

test(
  "symlinkat stores its target as is; linkat adds a hard link, following a symlink only when asked",
  async () => {
    const dir = tempDir();
    await using ring = new IoRing();
    try {
      const link = join(dir.path, "dangling");
      assert.equal(await ring.run(new Symlinkat("no/such/target", link)), 0);
      assert.ok(lstatSync(link).isSymbolicLink());
      assert.equal(readlinkSync(link), "no/such/target");
      await rejectsWith(ring.run(new Symlinkat("x", link)), "EEXIST", "symlinkat");
      const dirfd = await ring.openat(dir.path, { flags: O_DIRECTORY });
      assert.equal(await ring.run(new Symlinkat("data", "rel", { newDirfd: dirfd })), 0);
      assert.equal(readlinkSync(join(dir.path, "rel")), "data", "created relative to the dirfd");

      const data = dir.file("data", "contents");
      const hard = join(dir.path, "hard");
      assert.equal(await ring.run(new Linkat(data, hard)), 0);
      assert.equal(statSync(hard).ino, statSync(data).ino);
      assert.equal(statSync(data).nlink, 2);
      // "rel" is a symlink to "data": without AT_SYMLINK_FOLLOW the new name is another symlink.
      assert.equal(
        await ring.run(new Linkat("rel", "rel-nofollow", { oldDirfd: dirfd, newDirfd: dirfd })),
        0,
      );
      assert.ok(lstatSync(join(dir.path, "rel-nofollow")).isSymbolicLink());
      const followed = join(dir.path, "rel-follow");
      assert.equal(
        await ring.run(new Linkat(join(dir.path, "rel"), followed, { flags: AT_SYMLINK_FOLLOW })),
        0,
      );
      assert.equal(lstatSync(followed).isSymbolicLink(), false);
      assert.equal(lstatSync(followed).ino, statSync(data).ino);
      await rejectsWith(
        ring.run(new Linkat(join(dir.path, "missing"), join(dir.path, "m2"))),
        "ENOENT",
        "linkat",
      );
      await ring.close(dirfd);
    } finally {
      dir.remove();
    }
  },
  { skip: needs(IORING_OP_SYMLINKAT, IORING_OP_LINKAT) },
);

test("openat2 confines the lookup with RESOLVE_* flags and rejects what openat would ignore", async () => {
  const dir = tempDir();
  await using ring = new IoRing();
  try {
    dir.file("inside", "inner bytes");
    symlinkSync("inside", join(dir.path, "link"));
    const dirfd = await ring.openat(dir.path, { flags: O_DIRECTORY });
    const fd = await ring.run(new Openat2("inside", { dirfd, resolve: RESOLVE_BENEATH }));
    const buffer = new Uint8Array(32);
    assert.equal(await ring.read(fd, buffer, 0), 11);
    assert.equal(decode(buffer.subarray(0, 11)), "inner bytes");
    assert.equal(n.fcntl(fd, F_GETFD, 0) & FD_CLOEXEC, FD_CLOEXEC, "O_CLOEXEC is added");
    await ring.close(fd);
    await assert.rejects(
      ring.run(new Openat2("../escape", { dirfd, resolve: RESOLVE_BENEATH })),
      (e: IoRingError) => e.code === "EXDEV" && e.op === "openat2" && e.path === "../escape",
    );
    await rejectsWith(ring.run(new Openat2("link", { dirfd, resolve: RESOLVE_NO_SYMLINKS })), "ELOOP");
    const viaLink = await ring.run(new Openat2("link", { dirfd }));
    await ring.close(viaLink);
    const created = join(dir.path, "created");
    const wfd = await ring.run(new Openat2(created, { flags: O_WRONLY | O_CREAT, mode: 0o640 }));
    assert.equal(statSync(created).mode & 0o777, 0o640 & ~process.umask());
    await ring.close(wfd);
    await rejectsWith(ring.run(new Openat2(created, { mode: 0o600 })), "EINVAL"); // a mode without O_CREAT
    await rejectsWith(ring.run(new Openat2(created, { flags: 0x10000000 })), "EINVAL"); // an unknown flag
    await ring.close(dirfd);
  } finally {
    dir.remove();
  }
}, { skip: needs(IORING_OP_OPENAT2) });

// ---- file contents and sizes ---------------------------------------------------------------------

test("fallocate grows the file, KEEP_SIZE allocates without growing, PUNCH_HOLE zeroes a range", async () => {
  const dir = tempDir();
  await using ring = new IoRing();
  try {
    const path = dir.file("alloc", "");
    const fd = await ring.openat(path, { flags: O_RDWR });
    assert.equal(await ring.run(new Fallocate(fd, 0, 65536)), 0);
    assert.equal(statSync(path).size, 65536);
    const before = statSync(path).blocks;
    assert.equal(await ring.run(new Fallocate(fd, 65536, 65536, { mode: FALLOC_FL_KEEP_SIZE })), 0);
    assert.equal(statSync(path).size, 65536, "KEEP_SIZE keeps the size");
    assert.ok(statSync(path).blocks >= before + 128, "but allocates the blocks");
    const data = pattern(8192, 5);
    assert.equal(await ring.write(fd, data, 0), 8192);
    const punch = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
    assert.equal(await ring.run(new Fallocate(fd, 4096, 4096, { mode: punch })), 0);
    const back = new Uint8Array(readFileSync(path));
    assert.equal(back.length, 65536);
    assert.deepEqual(back.subarray(0, 4096), data.subarray(0, 4096));
    assert.ok(back.subarray(4096, 8192).every((b) => b === 0), "the hole reads as zeros");
    const [r, w] = pipe();
    await rejectsWith(ring.run(new Fallocate(w, 0, 10)), "ESPIPE", "fallocate");
    closeFds(r, w);
    await ring.close(fd);
  } finally {
    dir.remove();
  }
}, { skip: needs(IORING_OP_FALLOCATE) });

test("ftruncate cuts a file and extends it with zeros", async () => {
  const dir = tempDir();
  await using ring = new IoRing();
  try {
    const data = pattern(10_000, 3);
    const path = dir.file("trunc", data);
    const fd = await ring.openat(path, { flags: O_RDWR });
    assert.equal(await ring.run(new Ftruncate(fd, 100)), 0);
    assert.deepEqual(new Uint8Array(readFileSync(path)), data.subarray(0, 100));
    assert.equal(await ring.run(new Ftruncate(fd, 5000)), 0);
    const back = new Uint8Array(readFileSync(path));
    assert.equal(back.length, 5000);
    assert.deepEqual(back.subarray(0, 100), data.subarray(0, 100));
    assert.ok(back.subarray(100).every((b) => b === 0));
    const ro = await ring.openat(path);
    await assert.rejects(
      ring.run(new Ftruncate(ro, 0)),
      (e: IoRingError) => e.code === "EINVAL" && e.op === "ftruncate" && e.fd === ro,
    );
    assert.equal(statSync(path).size, 5000, "a read-only fd truncates nothing");
    await Promise.all([ring.close(fd), ring.close(ro)]);
  } finally {
    dir.remove();
  }
}, { skip: needs(IORING_OP_FTRUNCATE) });

test("sync_file_range and fadvise act on files, reject bad flags, and refuse pipes with ESPIPE", async () => {
  const dir = tempDir();
  await using ring = new IoRing();
  try {
    const path = dir.file("sync", pattern(65536));
    const fd = await ring.openat(path, { flags: O_RDWR });
    assert.equal(await ring.write(fd, pattern(4096, 9), 0), 4096);
    assert.equal(
      await ring.run(new SyncFileRange(fd, 0, 4096, { flags: SYNC_FILE_RANGE_WRITE_AND_WAIT })),
      0,
    );
    assert.equal(await ring.run(new SyncFileRange(fd)), 0);
    await rejectsWith(ring.run(new SyncFileRange(fd, 0, 0, { flags: 8 })), "EINVAL", "sync_file_range");
    assert.equal(await ring.run(new Fadvise(fd, 0, 0, POSIX_FADV_DONTNEED)), 0);
    assert.equal(await ring.run(new Fadvise(fd, 0, 2 ** 33, POSIX_FADV_WILLNEED)), 0, "a 64-bit length");
    await rejectsWith(ring.run(new Fadvise(fd, 0, 0, 99)), "EINVAL", "fadvise");
    const [r, w] = pipe();
    await rejectsWith(ring.run(new SyncFileRange(r)), "ESPIPE");
    await rejectsWith(ring.run(new Fadvise(r, 0, 0, POSIX_FADV_WILLNEED)), "ESPIPE");
    closeFds(r, w);
    await ring.close(fd);
    assert.deepEqual(new Uint8Array(readFileSync(path)).subarray(0, 4096), pattern(4096, 9));
  } finally {
    dir.remove();
  }
}, { skip: needs(IORING_OP_SYNC_FILE_RANGE, IORING_OP_FADVISE) });

test(
  "madvise MADV_DONTNEED zeroes exactly the page-aligned range given, and an unaligned start is EINVAL",
  async () => {
    await using ring = new IoRing();
    const PAGE = 65536; // a multiple of every page size Linux uses on x86_64 and aarch64
    const memory = new Uint8Array(4 * PAGE).fill(0xab);
    const start = (PAGE - (address(memory) % PAGE)) % PAGE;
    const range = memory.subarray(start, start + PAGE);
    assert.equal(await ring.run(new Madvise(range, MADV_WILLNEED)), 0);
    assert.equal(await ring.run(new Madvise(range, MADV_DONTNEED)), 0);
    assert.ok(range.every((b) => b === 0), "the range reads as zeros");
    assert.ok(memory.subarray(0, start).every((b) => b === 0xab), "bytes before it are untouched");
    assert.ok(memory.subarray(start + PAGE).every((b) => b === 0xab), "bytes after it are untouched");
    await rejectsWith(
      ring.run(new Madvise(memory.subarray(start + 1, start + 4097), MADV_WILLNEED)),
      "EINVAL",
      "madvise",
    );
    await rejectsWith(ring.run(new Madvise(range, 999)), "EINVAL");
    // Discarding advice on a view that ends inside a page would discard the rest of that page too.
    const partial = memory.subarray(start, start + PAGE + 100);
    assert.throws(() => new Madvise(partial, MADV_DONTNEED), /whole number of \d+-byte pages/);
    assert.throws(() => new Madvise(partial, MADV_FREE), RangeError);
    assert.equal(
      await ring.run(new Madvise(partial, MADV_WILLNEED)),
      0,
      "advice that keeps the bytes is fine",
    );
    assert.ok(memory.subarray(start + PAGE).every((b) => b === 0xab), "nothing past the range was discarded");
  },
  { skip: needs(IORING_OP_MADVISE) },
);

// ---- xattrs --------------------------------------------------------------------------------------

test(
  "xattrs set by path and by fd read back byte for byte; CREATE, REPLACE, sizes and missing names",
  async () => {
    const dir = tempDir();
    await using ring = new IoRing();
    try {
      const path = dir.file("x", "data");
      assert.equal(await ring.run(new Setxattr(path, "user.ioring", encode("hello"))), 0);
      const get = new Getxattr(path, "user.ioring");
      assert.equal(await ring.run(get), 5);
      assert.deepEqual(get.result(5), encode("hello"));
      assert.equal(
        await ring.run(new Getxattr(path, "user.ioring", { size: 0 })),
        5,
        "size 0 asks for the size",
      );
      await rejectsWith(ring.run(new Getxattr(path, "user.ioring", { size: 2 })), "ERANGE", "getxattr");
      await rejectsWith(
        ring.run(new Setxattr(path, "user.ioring", encode("x"), { flags: XATTR_CREATE })),
        "EEXIST",
      );
      await rejectsWith(
        ring.run(new Setxattr(path, "user.absent", encode("x"), { flags: XATTR_REPLACE })),
        "ENODATA",
      );
      assert.equal(
        await ring.run(new Setxattr(path, "user.ioring", encode("bye"), { flags: XATTR_REPLACE })),
        0,
      );
      await rejectsWith(ring.run(new Getxattr(path, "user.absent")), "ENODATA");

      const fd = await ring.openat(path, { flags: O_RDWR });
      const value = pattern(300, 11);
      assert.equal(await ring.run(new Fsetxattr(fd, "user.bytes", value, { flags: XATTR_CREATE })), 0);
      const fget = new Fgetxattr(fd, "user.bytes");
      assert.equal(await ring.run(fget), 300);
      assert.deepEqual(fget.result(300), value);
      const byPath = new Getxattr(path, "user.bytes", { size: 1000 });
      assert.equal(await ring.run(byPath), 300, "set by fd, read by path");
      assert.deepEqual(byPath.result(300), value);
      const byFd = new Fgetxattr(new FixedFile(0), "user.ioring");
      registerFiles(ring, [fd]);
      assert.equal(await ring.run(byFd), 3, "through a registered file");
      assert.deepEqual(byFd.result(3), encode("bye"));
      assert.equal(await ring.run(new Fsetxattr(fd, "user.empty", new Uint8Array(0))), 0);
      assert.equal(await ring.run(new Fgetxattr(fd, "user.empty")), 0, "an empty value");
      await rejectsWith(ring.run(new Fgetxattr(fd, "user.absent")), "ENODATA", "fgetxattr");
      await ring.close(fd);
    } finally {
      dir.remove();
    }
  },
  { skip: xattrSkip },
);

// ---- pipes ---------------------------------------------------------------------------------------

test("tee duplicates a pipe's bytes into another pipe without consuming them", async () => {
  await using ring = new IoRing();
  const [a0, a1] = pipe();
  const [b0, b1] = pipe();
  try {
    const message = encode("hello tee");
    assert.equal(n.write(a1, message, message.length), message.length);
    assert.equal(await ring.run(new Tee(a0, b1, 100)), message.length);
    const copy = new Uint8Array(64);
    assert.equal(n.read(b0, copy, 64), message.length);
    assert.deepEqual(copy.subarray(0, message.length), message);
    registerFiles(ring, [a0]);
    assert.equal(await ring.run(new Tee(new FixedFile(0), b1, 5)), 5, "from a registered pipe");
    assert.equal(n.read(b0, copy, 64), 5);
    assert.deepEqual(copy.subarray(0, 5), message.subarray(0, 5));
    const original = new Uint8Array(64);
    assert.equal(n.read(a0, original, 64), message.length, "the source still holds every byte");
    assert.deepEqual(original.subarray(0, message.length), message);
    await rejectsWith(ring.run(new Tee(a0, b1, 10, { flags: SPLICE_F_NONBLOCK })), "EAGAIN", "tee");
  } finally {
    closeFds(a0, a1, b0, b1);
  }
}, { skip: needs(IORING_OP_TEE) });

test("pipe creates a working pipe, with O_CLOEXEC and the flags asked for", async () => {
  await using ring = new IoRing();
  const op = new Pipe({ flags: O_NONBLOCK });
  assert.equal(await ring.run(op), 0);
  const [r, w] = op.result();
  try {
    assert.ok(r >= 0 && w >= 0 && r !== w);
    for (const fd of [r, w]) {
      assert.equal(n.fcntl(fd, F_GETFD, 0) & FD_CLOEXEC, FD_CLOEXEC);
      assert.equal(n.fcntl(fd, F_GETFL, 0) & O_NONBLOCK, O_NONBLOCK);
    }
    const buffer = new Uint8Array(8);
    assert.equal(n.read(r, buffer, 8), -EAGAIN, "empty and non-blocking");
    assert.equal(await ring.write(w, encode("pipe!"), -1), 5);
    assert.equal(n.read(r, buffer, 8), 5);
    assert.equal(decode(buffer.subarray(0, 5)), "pipe!");
    const plain = new Pipe();
    assert.equal(await ring.run(plain), 0);
    assert.equal(n.fcntl(plain.result()[0], F_GETFL, 0) & O_NONBLOCK, 0);
    closeFds(...plain.result());
  } finally {
    closeFds(r, w);
  }
}, { skip: needs(IORING_OP_PIPE) });

// ---- registered buffers and files ----------------------------------------------------------------

test(
  "write_fixed and read_fixed move bytes through a registered buffer; memory outside it is EFAULT",
  async () => {
    const dir = tempDir();
    await using ring = new IoRing();
    const registered = new Uint8Array(65536);
    try {
      registerBuffers(ring, new Uint8Array(4096), registered); // buffers 0 and 1
      const path = dir.file("fixed", "");
      const fd = await ring.openat(path, { flags: O_RDWR });
      const data = pattern(1000, 21);
      registered.set(data, 100);
      assert.equal(await ring.run(new WriteFixed(fd, registered.subarray(100, 1100), 1, 0)), 1000);
      assert.deepEqual(new Uint8Array(readFileSync(path)), data);
      assert.equal(await ring.run(new ReadFixed(fd, registered.subarray(5000, 5600), 1, 200)), 600);
      assert.deepEqual(registered.subarray(5000, 5600), data.subarray(200, 800));
      assert.equal(
        await ring.run(new ReadFixed(fd, registered.subarray(7000, 7010), 1)),
        10,
        "at the file position",
      );
      await assert.rejects(
        ring.run(new ReadFixed(fd, new Uint8Array(100), 1, 0)),
        (e: IoRingError) => e.code === "EFAULT" && e.op === "read_fixed" && e.fd === fd,
      );
      // The right memory under the wrong index, and an index with no buffer.
      await rejectsWith(
        ring.run(new WriteFixed(fd, registered.subarray(0, 10), 0, 0)),
        "EFAULT",
        "write_fixed",
      );
      await rejectsWith(ring.run(new WriteFixed(fd, registered.subarray(0, 10), 2, 0)), "EFAULT");
      await ring.close(fd);
    } finally {
      assert.equal(n.register(ring.fd, IORING_UNREGISTER_BUFFERS, null, 0), 0);
      dir.remove();
    }
  },
  { skip: needs(IORING_OP_READ_FIXED, IORING_OP_WRITE_FIXED) },
);

test("writev_fixed and readv_fixed gather and scatter within a registered buffer", async () => {
  const dir = tempDir();
  await using ring = new IoRing();
  const registered = new Uint8Array(16384);
  try {
    registerBuffers(ring, new Uint8Array(64), registered);
    const path = dir.file("vfixed", "");
    const fd = await ring.openat(path, { flags: O_RDWR });
    registered.set(pattern(10, 1), 0);
    registered.set(pattern(100, 2), 4096);
    const written = await ring.run(
      new WritevFixed(fd, [registered.subarray(0, 10), registered.subarray(4096, 4196)], 1, 0),
    );
    assert.equal(written, 110);
    assert.deepEqual(
      new Uint8Array(readFileSync(path)),
      new Uint8Array([...pattern(10, 1), ...pattern(100, 2)]),
    );
    const into = [registered.subarray(8000, 8050), registered.subarray(12000, 12060)];
    assert.equal(await ring.run(new ReadvFixed(fd, into, 1, 0)), 110);
    assert.deepEqual(new Uint8Array([...into[0], ...into[1]]), new Uint8Array(readFileSync(path)));
    await rejectsWith(ring.run(new ReadvFixed(fd, [new Uint8Array(8)], 1, 0)), "EFAULT", "readv_fixed");
    await ring.close(fd);
  } finally {
    assert.equal(n.register(ring.fd, IORING_UNREGISTER_BUFFERS, null, 0), 0);
    dir.remove();
  }
}, { skip: needs(IORING_OP_READV_FIXED, IORING_OP_WRITEV_FIXED) });

test(
  "files_update fills and empties registered slots; fixed_fd_install turns a slot into an fd",
  async () => {
    const dir = tempDir();
    await using ring = new IoRing();
    try {
      const path = dir.file("slots", "slot contents");
      const fd = await ring.openat(path);
      await rejectsWith(ring.run(new FilesUpdate([fd], 0)), "ENXIO", "files_update"); // no table yet
      registerFiles(ring, [-1, -1, -1, -1]);
      assert.equal(await ring.run(new FilesUpdate([fd], 2)), 1);
      const buffer = new Uint8Array(32);
      assert.equal(await ring.run(new Read(new FixedFile(2), buffer, 0)), 13);
      assert.equal(decode(buffer.subarray(0, 13)), "slot contents");

      const alloc = new FilesUpdate([fd], IORING_FILE_INDEX_ALLOC);
      assert.equal(await ring.run(alloc), 1);
      const [slot] = alloc.result(1);
      assert.ok([0, 1, 3].includes(slot), `the kernel picked a free slot: ${slot}`);
      assert.equal(await ring.run(new Read(new FixedFile(slot), buffer, 5)), 8);
      assert.equal(decode(buffer.subarray(0, 8)), "contents");

      const installed = await ring.run(new FixedFdInstall(new FixedFile(2)));
      assert.ok(installed >= 0 && installed !== fd);
      assert.equal(n.fcntl(installed, F_GETFD, 0) & FD_CLOEXEC, FD_CLOEXEC);
      buffer.fill(0);
      assert.equal(await ring.read(installed, buffer, 0), 13, "the new fd reads the same file");
      assert.equal(decode(buffer.subarray(0, 13)), "slot contents");
      const inheritable = await ring.run(
        new FixedFdInstall(new FixedFile(2), { flags: IORING_FIXED_FD_NO_CLOEXEC }),
      );
      assert.equal(n.fcntl(inheritable, F_GETFD, 0) & FD_CLOEXEC, 0);
      closeFds(installed, inheritable);

      assert.equal(await ring.run(new FilesUpdate([-1, -2], 2)), 2, "empty slot 2, skip slot 3");
      await rejectsWith(ring.run(new Read(new FixedFile(2), buffer, 0)), "EBADF");
      await rejectsWith(ring.run(new FixedFdInstall(new FixedFile(2))), "EBADF", "fixed_fd_install");
      await ring.close(fd);
    } finally {
      dir.remove();
    }
  },
  { skip: needs(IORING_OP_FILES_UPDATE, IORING_OP_FIXED_FD_INSTALL) },
);

// ---- SQE bytes -----------------------------------------------------------------------------------

test("read_fixed, write_fixed, readv_fixed and writev_fixed write the SQE as liburing does", () => {
  const registered = new Uint8Array(8192);
  const view = registered.subarray(16, 48);
  assertSqe(new ReadFixed(5, view, 3, 4096), {
    opcode: IORING_OP_READ_FIXED,
    fd: 5,
    addr: address(view),
    len: 32,
    off: 4096,
    bufIndex: 3,
  });
  assertSqe(new WriteFixed(5, view, 65535, -1, { length: 8, rwFlags: 0x8 }), {
    opcode: IORING_OP_WRITE_FIXED,
    fd: 5,
    addr: address(view),
    len: 8,
    off: -1,
    opFlags: 0x8,
    bufIndex: 65535,
  });
  assertSqe(new ReadFixed(new FixedFile(7), view, 0, 0), {
    opcode: IORING_OP_READ_FIXED,
    flags: IOSQE_FIXED_FILE,
    fd: 7,
    addr: address(view),
    len: 32,
  });
  const parts = [registered.subarray(0, 10), registered.subarray(4096, 4196)];
  const readv = new ReadvFixed(6, parts, 2, 100);
  assertSqe(readv, {
    opcode: IORING_OP_READV_FIXED,
    fd: 6,
    addr: address(readv.iovecs),
    len: 2,
    off: 100,
    bufIndex: 2,
  });
  assert.deepEqual(Array.from(readv.iovecs), [
    ...u64(address(parts[0])),
    10,
    0,
    ...u64(address(parts[1])),
    100,
    0,
  ]);
  const writev = new WritevFixed(6, parts, 1, 0, { rwFlags: 0x10 });
  assertSqe(writev, {
    opcode: IORING_OP_WRITEV_FIXED,
    fd: 6,
    addr: address(writev.iovecs),
    len: 2,
    opFlags: 0x10,
    bufIndex: 1,
  });
});

test("sync_file_range, fallocate, fadvise, madvise and ftruncate write the SQE as liburing does", () => {
  assertSqe(new SyncFileRange(7, 4096, 8192, { flags: 7 }), {
    opcode: IORING_OP_SYNC_FILE_RANGE,
    fd: 7,
    len: 8192,
    off: 4096,
    opFlags: 7,
  });
  assertSqe(new SyncFileRange(7), {
    opcode: IORING_OP_SYNC_FILE_RANGE,
    fd: 7,
    opFlags: SYNC_FILE_RANGE_WRITE,
  });
  // io_uring_prep_fallocate: the mode in len, the offset in off, the length in addr.
  assertSqe(new Fallocate(7, 100, 2 ** 40 + 3, { mode: FALLOC_FL_KEEP_SIZE }), {
    opcode: IORING_OP_FALLOCATE,
    fd: 7,
    addr: 2 ** 40 + 3,
    len: FALLOC_FL_KEEP_SIZE,
    off: 100,
  });
  assertSqe(new Fadvise(7, 10, 20, POSIX_FADV_DONTNEED), {
    opcode: IORING_OP_FADVISE,
    fd: 7,
    len: 20,
    off: 10,
    opFlags: POSIX_FADV_DONTNEED,
  });
  // io_uring_prep_fadvise64: a length beyond 32 bits travels in addr.
  assertSqe(new Fadvise(new FixedFile(1), 0, 2 ** 33, POSIX_FADV_WILLNEED), {
    opcode: IORING_OP_FADVISE,
    flags: IOSQE_FIXED_FILE,
    fd: 1,
    addr: 2 ** 33,
    opFlags: POSIX_FADV_WILLNEED,
  });
  const memory = new Uint8Array(8192);
  assertSqe(new Madvise(memory, MADV_DONTNEED), {
    opcode: IORING_OP_MADVISE,
    fd: -1,
    addr: address(memory),
    len: 8192,
    opFlags: MADV_DONTNEED,
  });
  assertSqe(new Ftruncate(9, 2 ** 33 + 5), { opcode: IORING_OP_FTRUNCATE, fd: 9, off: 2 ** 33 + 5 });
  assert.equal(new Fadvise(7, 0, 2 ** 32 - 1, POSIX_FADV_WILLNEED).since, "5.6");
  assert.equal(new Fadvise(7, 0, 2 ** 32, POSIX_FADV_WILLNEED).since, "6.11");
  assert.equal(new Madvise(memory, MADV_DONTNEED).since, "5.6");
});

test("openat2, renameat, unlinkat, mkdirat, symlinkat and linkat write the SQE as liburing does", () => {
  const open = new Openat2("/a/b", {
    flags: O_RDWR | O_CREAT,
    mode: 0o600,
    resolve: RESOLVE_BENEATH,
    dirfd: 3,
  });
  assertSqe(open, {
    opcode: IORING_OP_OPENAT2,
    fd: 3,
    addr: address(open.path),
    len: 24,
    off: address(open.how),
  });
  assert.deepEqual(Array.from(open.how), [O_RDWR | O_CREAT | O_CLOEXEC, 0, 0o600, 0, RESOLVE_BENEATH, 0]);
  assert.deepEqual(open.path, encode("/a/b\0"));
  assert.deepEqual(Array.from(new Openat2("x").how), [O_CLOEXEC, 0, 0, 0, 0, 0], "no mode without O_CREAT");

  const rename = new Renameat("old", "new", { newDirfd: 4, flags: RENAME_NOREPLACE });
  assertSqe(rename, {
    opcode: IORING_OP_RENAMEAT,
    fd: AT_FDCWD,
    addr: address(rename.oldPath),
    len: 4,
    off: address(rename.newPath),
    opFlags: RENAME_NOREPLACE,
  });
  const renameCwd = new Renameat("old", "new");
  assertSqe(renameCwd, {
    opcode: IORING_OP_RENAMEAT,
    fd: AT_FDCWD,
    addr: address(renameCwd.oldPath),
    len: AT_FDCWD, // (__u32) AT_FDCWD
    off: address(renameCwd.newPath),
  });
  const unlink = new Unlinkat("gone", { dirfd: 5, flags: AT_REMOVEDIR });
  assertSqe(unlink, { opcode: IORING_OP_UNLINKAT, fd: 5, addr: address(unlink.path), opFlags: AT_REMOVEDIR });
  const mkdir = new Mkdirat("dir", { mode: 0o750 });
  assertSqe(mkdir, { opcode: IORING_OP_MKDIRAT, fd: AT_FDCWD, addr: address(mkdir.path), len: 0o750 });
  const mkdirDefault = new Mkdirat("dir2");
  assertSqe(mkdirDefault, {
    opcode: IORING_OP_MKDIRAT,
    fd: AT_FDCWD,
    addr: address(mkdirDefault.path),
    len: 0o777,
  });
  const symlink = new Symlinkat("target", "link", { newDirfd: 6 });
  assertSqe(symlink, {
    opcode: IORING_OP_SYMLINKAT,
    fd: 6,
    addr: address(symlink.linkTarget),
    off: address(symlink.linkPath),
  });
  const link = new Linkat("a", "b", { oldDirfd: 3, newDirfd: 4, flags: AT_SYMLINK_FOLLOW });
  assertSqe(link, {
    opcode: IORING_OP_LINKAT,
    fd: 3,
    addr: address(link.oldPath),
    len: 4,
    off: address(link.newPath),
    opFlags: AT_SYMLINK_FOLLOW,
  });
});

test("the xattr builders write the SQE as liburing does", () => {
  const value = encode("value");
  const fset = new Fsetxattr(6, "user.a", value, { flags: XATTR_CREATE });
  assertSqe(fset, {
    opcode: IORING_OP_FSETXATTR,
    fd: 6,
    addr: address(fset.attrName),
    len: 5,
    off: address(fset.value),
    opFlags: XATTR_CREATE,
  });
  assert.deepEqual(fset.attrName, encode("user.a\0"));
  const set = new Setxattr("/p", "user.b", value, { flags: XATTR_REPLACE });
  assertSqe(set, {
    opcode: IORING_OP_SETXATTR,
    fd: 0,
    addr: address(set.attrName),
    len: 5,
    off: address(set.value),
    opFlags: XATTR_REPLACE,
    addr3: address(set.path),
  });
  const fget = new Fgetxattr(6, "user.c", { size: 100 });
  assertSqe(fget, {
    opcode: IORING_OP_FGETXATTR,
    fd: 6,
    addr: address(fget.attrName),
    len: 100,
    off: address(fget.value),
  });
  const get = new Getxattr("/p", "user.d");
  assertSqe(get, {
    opcode: IORING_OP_GETXATTR,
    fd: 0,
    addr: address(get.attrName),
    len: 4096,
    off: address(get.value),
    addr3: address(get.path),
  });
  const query = new Getxattr("/p", "user.d", { size: 0 });
  assertSqe(query, { opcode: IORING_OP_GETXATTR, addr: address(query.attrName), addr3: address(query.path) });
});

test("tee, pipe, files_update and fixed_fd_install write the SQE as liburing does", () => {
  assertSqe(new Tee(3, 4, 1000, { flags: SPLICE_F_NONBLOCK }), {
    opcode: IORING_OP_TEE,
    fd: 4,
    len: 1000,
    fileIndex: 3,
    opFlags: SPLICE_F_NONBLOCK,
  });
  assertSqe(new Tee(new FixedFile(2), new FixedFile(5), 10), {
    opcode: IORING_OP_TEE,
    flags: IOSQE_FIXED_FILE,
    fd: 5,
    len: 10,
    fileIndex: 2,
    opFlags: SPLICE_F_FD_IN_FIXED,
  });
  const p = new Pipe({ flags: O_NONBLOCK });
  assertSqe(p, { opcode: IORING_OP_PIPE, fd: 0, addr: address(p.fds), opFlags: O_NONBLOCK | O_CLOEXEC });
  const update = new FilesUpdate([3, -1, -2], 4);
  assertSqe(update, { opcode: IORING_OP_FILES_UPDATE, fd: -1, addr: address(update.fds), len: 3, off: 4 });
  assert.deepEqual(Array.from(update.fds), [3, -1, -2]);
  const alloc = new FilesUpdate([3], IORING_FILE_INDEX_ALLOC);
  // liburing takes the offset as an int: IORING_FILE_INDEX_ALLOC arrives sign-extended, all ones.
  assertSqe(alloc, { opcode: IORING_OP_FILES_UPDATE, fd: -1, addr: address(alloc.fds), len: 1, off: -1 });
  assert.equal(update.since, "5.6");
  assert.equal(alloc.since, "5.19");
  assertSqe(new FixedFdInstall(new FixedFile(2), { flags: IORING_FIXED_FD_NO_CLOEXEC }), {
    opcode: IORING_OP_FIXED_FD_INSTALL,
    flags: IOSQE_FIXED_FILE,
    fd: 2,
    opFlags: IORING_FIXED_FD_NO_CLOEXEC,
  });
});

test("preparing again writes the same SQE, and IOSQE flags, ioprio and personality land on top", () => {
  const op = new Ftruncate(3, 77).flags(constants.IOSQE_IO_LINK).personality(2);
  const first = prepWords(op);
  assert.deepEqual(prepWords(op), first);
  assert.deepEqual(
    first,
    sqeWords({
      opcode: IORING_OP_FTRUNCATE,
      flags: constants.IOSQE_IO_LINK,
      fd: 3,
      off: 77,
      personality: 2,
    }),
  );
});

// ---- argument checks -----------------------------------------------------------------------------

test("bad arguments throw TypeError or RangeError naming the rule and the value", () => {
  const buffer = new Uint8Array(16);
  assert.throws(
    () => new ReadFixed(3, buffer, 70000),
    new RangeError(
      "Cannot read_fixed fd 3: bufIndex must be an integer from 0 to 65535: current value is 70000",
    ),
  );
  assert.throws(() => new WriteFixed(3, buffer, 0, -2), RangeError);
  assert.throws(() => new ReadvFixed(3, [], 0), RangeError);
  assert.throws(
    () => new Fallocate(3, -1, 10),
    new RangeError("Cannot fallocate fd 3: offset must be an integer from 0 to 2^53-1: current value is -1"),
  );
  assert.throws(() => new SyncFileRange(3, 0, 2 ** 32), /length must be an integer from 0 to 2\^32-1/);
  assert.throws(() => new Ftruncate(1.5, 0), RangeError);
  assert.throws(() => new Fadvise(3, 0, 0, 2 ** 33), /advice must be a 32-bit integer/);
  assert.throws(() => new Madvise("x" as unknown as Uint8Array, MADV_DONTNEED), TypeError);
  assert.throws(() => new Openat2("a\0b"), TypeError);
  assert.throws(() => new Openat2("a", { dirfd: 1.5 }), RangeError);
  assert.throws(() => new Renameat("a", 5 as unknown as string), TypeError);
  assert.throws(
    () => new Setxattr("/p", "user.a\0", buffer),
    new TypeError("Cannot setxattr '/p': name contains a NUL byte"),
  );
  assert.throws(
    () => new Getxattr("/p", "user.a", { size: 70000 }),
    new RangeError("Cannot getxattr '/p': size must be an integer from 0 to 65536: current value is 70000"),
  );
  assert.throws(() => new Fgetxattr(3, 5 as unknown as string), TypeError);
  assert.throws(() => new Tee(-5, 3, 1), RangeError);
  assert.throws(
    () => new FilesUpdate([], 0),
    new RangeError(
      "Cannot update registered files: fds must be a non-empty array of file descriptors: current value is []",
    ),
  );
  assert.throws(() => new FilesUpdate([-3], 0), RangeError);
  assert.throws(() => new FilesUpdate([1], -1), RangeError);
  assert.throws(
    () => new FixedFdInstall(3 as unknown as FixedFile),
    new TypeError("Cannot install a registered file as an fd: file must be a FixedFile: current value is 3"),
  );
  assert.throws(() => new Pipe({ flags: 2 ** 33 }), RangeError);
  assert.doesNotThrow(() => new Mkdirat("d", { mode: 0o777 }));
});

test("a builder names the kernel its options need: direct opens and closes 5.15, multishot timeouts 6.4", async () => {
  const { Close, IORING_TIMEOUT_MULTISHOT, Openat, PollRemove, Timeout } = await import("../mod.ts");
  assert.deepEqual(
    [
      new Openat("a").since,
      new Openat("a", { direct: 0 }).since,
      new Openat2("a").since,
      new Openat2("a", { direct: 0 }).since,
      new Close(3).since,
      new Close(new FixedFile(3)).since,
      new Timeout(1).since,
      new Timeout(1, { flags: IORING_TIMEOUT_MULTISHOT }).since,
    ],
    ["5.6", "5.15", "5.6", "5.15", "5.6", "5.15", "5.4", "6.4"],
  );
  // A multishot update is one of the events: a new user data alone cannot make it multishot.
  assert.throws(() => new PollRemove(1, { newUserData: 2, multishot: true }), /give events too/);
  assert.equal(new PollRemove(1, { events: 1, multishot: true }).since, "5.13");
});
