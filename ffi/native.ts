/**
 * The native layer: picks the runtime adapter, opens liburing (or libc's
 * `syscall(2)` where liburing is absent or too old) and exposes io_uring's three
 * system calls and the few libc functions the core needs, all returning
 * `-errno` on failure, never throwing.
 *
 * `IORING_NATIVE=liburing|libc` forces one path; `IORING_LIBURING` names the
 * liburing file to open instead of `liburing.so.2` (a file that cannot be
 * loaded is an error naming it, never a silent fall back to libc).
 *
 * In Deno, `--allow-ffi` is the one permission needed: the runtime adapter is
 * imported with a literal specifier (no `--allow-read`), and the variables
 * and `/proc` files are read only where Deno has granted that already (no
 * prompt). A variable that is set but may not be read is an error saying
 * which `--allow-env` to add, rather than being ignored.
 *
 * @module
 */
import { hostProcess as process } from "../kernel/host.ts";
import type { OpenedLibrary, ReadableWaiter, RuntimeAdapter } from "./adapter.ts";
import { LIBC_SYMBOLS, LIBURING_SYMBOLS } from "./symbols.ts";
import { IO_URING_SYSCALL } from "../kernel/constants.ts";
import { ENOMEM, ENOSYS, EPERM } from "../kernel/errno.ts";

/** Which implementation of the io_uring system calls is in use. */
export type NativePath = "liburing" | "libc";

/** io_uring's system calls and the libc functions around them. Every function returns `-errno` on failure. */
export interface Native {
  readonly runtime: "deno" | "bun";
  readonly path: NativePath;
  /** The shared library that provides the io_uring calls. */
  readonly library: string;
  setup(entries: number, params: Uint8Array): number;
  enter(fd: number, toSubmit: number, minComplete: number, flags: number): number;
  register(fd: number, opcode: number, arg: ArrayBufferView | null, nrArgs: number): number;
  /** Maps `length` bytes of `fd` at `offset` shared and read-write; returns the address or `-errno`. */
  mmapShared(fd: number, length: number, offset: number, populate: boolean): number;
  munmap(address: number, length: number): number;
  close(fd: number): number;
  read(fd: number, buffer: ArrayBufferView, length: number): number;
  write(fd: number, buffer: ArrayBufferView, length: number): number;
  eventfd(initval: number, flags: number): number;
  pipe2(fds: Int32Array, flags: number): number;
  socketpair(domain: number, type: number, protocol: number, fds: Int32Array): number;
  fcntl(fd: number, cmd: number, arg: number): number;
  /** getrlimit(2) into `limits` ([soft, hard]); -errno on failure. */
  getrlimit(resource: number, limits: BigUint64Array): number;
  /** setrlimit(2) from `limits` ([soft, hard]); -errno on failure. */
  setrlimit(resource: number, limits: BigUint64Array): number;
  /** The kernel's page size in bytes. */
  pageSize: number;
  getsockname(fd: number, address: Uint8Array, length: Uint32Array): number;
  getpeername(fd: number, address: Uint8Array, length: Uint32Array): number;
  setsockopt(fd: number, level: number, name: number, value: ArrayBufferView, length: number): number;
  /** socket(2), for a listener made synchronously; the descriptor or -errno. */
  socket(domain: number, type: number, protocol: number): number;
  /** bind(2), for kernels without IORING_OP_BIND (6.11); -errno on failure. */
  bind(fd: number, address: Uint8Array, length: number): number;
  /** listen(2), for kernels without IORING_OP_LISTEN (6.11); -errno on failure. */
  listen(fd: number, backlog: number): number;
  addressOf(view: ArrayBufferView): number;
  arrayBufferAt(address: number, length: number): ArrayBuffer;
  createWaiter(fd: number, onReadable: () => void): ReadableWaiter;
}

/**
 * Thrown when no way to io_uring works; `attempts` says what was tried and why it failed.
 *
 * @example
 * ```ts
 * import { IoRing, IoUringUnavailableError } from "@ioring/ioring";
 * try {
 *   using ring = new IoRing();
 * } catch (error) {
 *   if (error instanceof IoUringUnavailableError) console.error(error.attempts.join("\n"));
 * }
 * ```
 */
export class IoUringUnavailableError extends Error {
  /** Each path tried, with the reason it failed. */
  readonly attempts: readonly string[];

  /**
   * Builds the error, listing each attempt on its own line.
   *
   * @param attempts Each path tried, with the reason it failed.
   * @param options The underlying error as `cause`.
   */
  constructor(attempts: string[], options?: ErrorOptions) {
    super(`io_uring is not available:\n  - ${attempts.join("\n  - ")}`, options);
    this.name = "IoUringUnavailableError";
    this.attempts = attempts;
  }
}

const LIBC = "libc.so.6";
const LIBURING = "liburing.so.2";

const SYSCALL_NUMBERS: Record<string, { setup: number; enter: number; register: number }> = IO_URING_SYSCALL;

const PROT_READ = 0x1;
const PROT_WRITE = 0x2;
const MAP_SHARED = 0x01;
const MAP_POPULATE = 0x08000;

/** The environment variables the loader reads. */
const SETTINGS = ["IORING_NATIVE", "IORING_LIBURING"] as const;
type Setting = typeof SETTINGS[number];

/**
 * The loader's environment variables; "" counts as unset. Where Deno may not read one, libc's getenv() tells
 * whether it is set at all: unset, it is simply absent; set, the caller meant it, and ignoring it would run
 * the ring on a path other than the one asked for, so that is an error naming the flag to add.
 */
function settings(
  adapter: RuntimeAdapter,
  libc: OpenedLibrary<typeof LIBC_SYMBOLS>,
): Record<Setting, string | undefined> {
  const values: Record<Setting, string | undefined> = {
    IORING_NATIVE: undefined,
    IORING_LIBURING: undefined,
  };
  const unreadable: Setting[] = [];
  for (const name of SETTINGS) {
    if (adapter.allowed("env", name)) {
      values[name] = process.env[name] || undefined;
    } else if (isSet(adapter, libc, name)) {
      unreadable.push(name);
    }
  }
  if (unreadable.length > 0) {
    const [these, are] = unreadable.length === 1 ? [unreadable[0], "is"] : [unreadable.join(" and "), "are"];
    throw new Error(
      `Cannot load io_uring: ${these} ${are} set, but Deno may not read ${
        unreadable.length === 1 ? "it" : "them"
      }: run with --allow-env=${SETTINGS.join(",")} (or unset ${these})`,
    );
  }
  return values;
}

/** Whether `name` is set and not empty, asked of libc (no runtime permission is involved). */
function isSet(adapter: RuntimeAdapter, libc: OpenedLibrary<typeof LIBC_SYMBOLS>, name: string): boolean {
  const address = libc.symbols.getenv(new TextEncoder().encode(name + "\0"));
  return address !== 0 && new Uint8Array(adapter.arrayBufferAt(address, 1))[0] !== 0;
}

/** `/proc` files read only to explain a failure; false once one could not be read for want of permission. */
let procReadable = true;

function readProc(adapter: RuntimeAdapter, path: string): string | null {
  if (!adapter.allowed("read", path)) {
    procReadable = false;
    return null;
  }
  try {
    return process.getBuiltinModule("fs").readFileSync(path, "utf8");
  } catch {
    return null; // older kernels have no io_uring_disabled
  }
}

/** What to add where a reason could not be told because Deno may not read `/proc`. */
function procHint(): string {
  return procReadable ? "" : " (run with --allow-read=/proc to tell which)";
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message.split("\n")[0] : String(error);
}

async function loadAdapter(): Promise<RuntimeAdapter> {
  // Literal specifiers: Deno loads both files with the module graph, so a local import needs no
  // --allow-read, and each runtime runs only its own adapter. bun.ts imports `bun:ffi` by a computed
  // specifier, which keeps `deno check` from resolving it.
  return "Bun" in globalThis ? (await import("./bun.ts")).adapter : (await import("./deno.ts")).adapter;
}

function createNative(
  adapter: RuntimeAdapter,
  libc: OpenedLibrary<typeof LIBC_SYMBOLS>,
  path: NativePath,
  library: string,
  uring: OpenedLibrary<typeof LIBURING_SYMBOLS> | null,
): Native {
  const c = libc.symbols;
  const errnoAddress = c.__errno_location();
  // libc returns -1 and sets errno; the neutral interface returns -errno.
  const check = (ret: number): number => (ret === -1 ? -adapter.readI32(errnoAddress) : ret);
  const address = (
    view: ArrayBufferView | null,
  ): number => (view === null || view.byteLength === 0 ? 0 : adapter.addressOf(view));
  let io: Pick<Native, "setup" | "enter" | "register">;
  if (uring !== null) {
    const u = uring.symbols;
    io = {
      setup: (entries, params) => u.io_uring_setup(entries, params),
      enter: (fd, toSubmit, minComplete, flags) => u.io_uring_enter(fd, toSubmit, minComplete, flags, null),
      register: (fd, opcode, arg, nrArgs) => u.io_uring_register(fd, opcode, arg, nrArgs),
    };
  } else {
    const nr = SYSCALL_NUMBERS[process.arch];
    const sys = c.syscall;
    io = {
      setup: (entries, params) => check(sys(nr.setup, entries, address(params), 0, 0, 0, 0)),
      enter: (fd, toSubmit, minComplete, flags) =>
        check(sys(nr.enter, fd, toSubmit, minComplete, flags, 0, 0)),
      register: (fd, opcode, arg, nrArgs) => check(sys(nr.register, fd, opcode, address(arg), nrArgs, 0, 0)),
    };
  }
  return {
    runtime: adapter.runtime,
    path,
    library,
    ...io,
    mmapShared: (fd, length, offset, populate) =>
      check(
        c.mmap(0, length, PROT_READ | PROT_WRITE, MAP_SHARED | (populate ? MAP_POPULATE : 0), fd, offset),
      ),
    munmap: (addr, length) => check(c.munmap(addr, length)),
    close: (fd) => check(c.close(fd)),
    read: (fd, buffer, length) => check(c.read(fd, buffer, length)),
    write: (fd, buffer, length) => check(c.write(fd, buffer, length)),
    eventfd: (initval, flags) => check(c.eventfd(initval, flags)),
    pipe2: (fds, flags) => check(c.pipe2(fds, flags)),
    socketpair: (domain, type, protocol, fds) => check(c.socketpair(domain, type, protocol, fds)),
    fcntl: (fd, cmd, arg) => check(c.fcntl(fd, cmd, arg)),
    getrlimit: (resource, limits) => check(c.getrlimit(resource, limits)),
    setrlimit: (resource, limits) => check(c.setrlimit(resource, limits)),
    pageSize: c.getpagesize(),
    getsockname: (fd, address, length) => check(c.getsockname(fd, address, length)),
    getpeername: (fd, address, length) => check(c.getpeername(fd, address, length)),
    setsockopt: (fd, level, name, value, length) => check(c.setsockopt(fd, level, name, value, length)),
    socket: (domain, type, protocol) => check(c.socket(domain, type, protocol)),
    bind: (fd, address, length) => check(c.bind(fd, address, length)),
    listen: (fd, backlog) => check(c.listen(fd, backlog)),
    addressOf: adapter.addressOf,
    arrayBufferAt: adapter.arrayBufferAt,
    createWaiter: (fd, onReadable) => adapter.createWaiter(LIBC, fd, onReadable),
  };
}

/** Tries io_uring_setup with one entry and closes the ring: returns 0 or -errno. */
function trySetup(native: Native): number {
  const params = new Uint8Array(120);
  const fd = native.setup(1, params);
  if (fd >= 0) native.close(fd);
  return fd < 0 ? fd : 0;
}

/** True when a seccomp filter is installed on this process ("Seccomp: 2" in /proc/self/status). */
function seccompFiltered(adapter: RuntimeAdapter): boolean {
  return /^Seccomp:\s*2\s*$/m.test(readProc(adapter, "/proc/self/status") ?? "");
}

const ALLOW_IO_URING = "allow io_uring_setup, io_uring_enter and io_uring_register in the profile " +
  "(docker and podman: --security-opt seccomp=<profile>)";

function whySetupFailed(adapter: RuntimeAdapter, errno: number): string {
  const disabled = readProc(adapter, "/proc/sys/kernel/io_uring_disabled")?.trim() ?? "";
  if (errno === ENOSYS) {
    if (seccompFiltered(adapter)) {
      return "io_uring_setup failed with ENOSYS: this process runs under a seccomp filter " +
        `(Seccomp: 2 in /proc/self/status) that hides io_uring; ${ALLOW_IO_URING}`;
    }
    return "io_uring_setup failed with ENOSYS: the kernel has no io_uring (older than 5.1, or built without it)" +
      (procReadable ? "" : ", or a seccomp filter hides it" + procHint());
  }
  if (errno === EPERM) {
    if (disabled === "2") {
      return "io_uring_setup failed with EPERM: io_uring is disabled (/proc/sys/kernel/io_uring_disabled = 2)";
    }
    if (disabled === "1") {
      return "io_uring_setup failed with EPERM: io_uring is limited to CAP_SYS_ADMIN and the io_uring_group " +
        "(/proc/sys/kernel/io_uring_disabled = 1; add the user to the group whose id is in " +
        "/proc/sys/kernel/io_uring_group, or set io_uring_disabled to 0)";
    }
    if (seccompFiltered(adapter)) {
      return "io_uring_setup failed with EPERM: a seccomp filter on this process (Seccomp: 2 in " +
        `/proc/self/status) forbids io_uring; ${ALLOW_IO_URING}`;
    }
    return "io_uring_setup failed with EPERM: io_uring_disabled, a seccomp profile or a security module " +
      `forbids io_uring (containers often do)${procHint()}`;
  }
  if (errno === ENOMEM) {
    return "io_uring_setup failed with ENOMEM: RLIMIT_MEMLOCK is too low for the ring's memory " +
      "(raise it with `ulimit -l`, LimitMEMLOCK= in a systemd unit, or --ulimit memlock in a container)";
  }
  return `io_uring_setup failed with errno ${errno}`;
}

async function loadNative(): Promise<Native> {
  const adapter = await loadAdapter();
  const attempts: string[] = [];
  let libc: OpenedLibrary<typeof LIBC_SYMBOLS>;
  try {
    libc = adapter.open(LIBC, LIBC_SYMBOLS);
  } catch (error) {
    throw new IoUringUnavailableError([`libc (${LIBC}): cannot open: ${reason(error)}`], { cause: error });
  }
  const { IORING_NATIVE: forced, IORING_LIBURING: named } = settings(adapter, libc);
  if (forced !== undefined && forced !== "liburing" && forced !== "libc") {
    throw new TypeError(
      `Cannot load io_uring: IORING_NATIVE must be "liburing" or "libc": current value is "${forced}"`,
    );
  }
  let lastError: unknown;
  if (forced !== "libc") {
    const file = named ?? LIBURING;
    let uring: OpenedLibrary<typeof LIBURING_SYMBOLS> | null = null;
    try {
      uring = adapter.open(file, LIBURING_SYMBOLS);
    } catch (error) {
      lastError = error;
      const missing = /symbol|undefined/i.test(reason(error));
      const why = missing
        ? "too old: io_uring_setup/enter/register are exported from liburing 2.3 on"
        : "cannot open";
      attempts.push(`liburing (${file}): ${why}: ${reason(error)}`);
      // The caller named this file: running on libc instead would hide the mistake.
      if (named !== undefined) {
        attempts[attempts.length - 1] += "; IORING_LIBURING names this file: point it at liburing 2.3 or " +
          `later, or unset it to use ${LIBURING} or libc's syscall(2)`;
        throw new IoUringUnavailableError(attempts, { cause: error });
      }
    }
    if (uring !== null) {
      const native = createNative(adapter, libc, "liburing", file, uring);
      const errno = trySetup(native);
      if (errno === 0) return native;
      attempts.push(`liburing (${file}): ${whySetupFailed(adapter, -errno)}`);
      uring.close();
    }
  }
  if (forced !== "liburing") {
    if (SYSCALL_NUMBERS[process.arch] === undefined) {
      attempts.push(`libc syscall(2): no io_uring syscall numbers known for architecture ${process.arch}`);
    } else {
      const native = createNative(adapter, libc, "libc", LIBC, null);
      const errno = trySetup(native);
      if (errno === 0) return native;
      attempts.push(`libc syscall(2): ${whySetupFailed(adapter, -errno)}`);
    }
  }
  throw new IoUringUnavailableError(attempts, { cause: lastError });
}

// Loaded once per process (per Worker), when this module is first imported: rings are created synchronously,
// and every module that needs the native layer takes it from here.
const loadResult: { native: Native } | { error: unknown } = await loadNative().then(
  (native) => ({ native }),
  (error: unknown) => ({ error }),
);

/**
 * The native layer; throws the error that kept it from loading ({@link IoUringUnavailableError}, or a
 * TypeError for a bad IORING_NATIVE).
 */
export function nativeLayer(): Native {
  if ("error" in loadResult) throw loadResult.error;
  return loadResult.native;
}

/** The native layer, or null where it could not be loaded (for helpers that have a fallback). */
export function nativeOrNull(): Native | null {
  return "error" in loadResult ? null : loadResult.native;
}

/** The native layer as a promise (for callers that await it); rejects with the error that kept it from loading. */
export function native(): Promise<Native> {
  return "error" in loadResult ? Promise.reject(loadResult.error) : Promise.resolve(loadResult.native);
}
