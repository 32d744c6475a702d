/**
 * The FFI symbol table, declared once as data in a neutral type vocabulary.
 * Each runtime adapter translates it into its own dialect with an exact type
 * map (`ffi/deno.ts`, `ffi/bun.ts`). Pointer parameters are `buffer`: a typed
 * array or `null`, never a raw address, except in `syscall`, whose variadic
 * arguments are all passed as 64-bit integers.
 *
 * @module
 */

/** The neutral FFI types. `i64`/`u64` results reach JavaScript as numbers. */
export type NativeType = "i32" | "u32" | "i64" | "u64" | "buffer" | "void";

/** One C function: its parameter and result types. */
export interface SymbolSpec {
  readonly parameters: readonly NativeType[];
  readonly result: NativeType;
  /** Runs on another thread and returns a promise (Deno only; Bun's waiter runs it in a Worker). */
  readonly nonblocking?: boolean;
}

/** A table of C functions by symbol name. */
export type SymbolTable = Readonly<Record<string, SymbolSpec>>;

/** liburing 2.3+ exports the raw syscalls; its wrappers return `-errno` instead of setting `errno`. */
export const LIBURING_SYMBOLS = {
  // int io_uring_setup(unsigned entries, struct io_uring_params *p)
  io_uring_setup: { parameters: ["u32", "buffer"], result: "i32" },
  // int io_uring_enter(unsigned fd, unsigned to_submit, unsigned min_complete, unsigned flags, sigset_t *sig)
  io_uring_enter: { parameters: ["u32", "u32", "u32", "u32", "buffer"], result: "i32" },
  // int io_uring_register(unsigned fd, unsigned opcode, const void *arg, unsigned nr_args)
  io_uring_register: { parameters: ["u32", "u32", "buffer", "u32"], result: "i32" },
} as const satisfies SymbolTable;

/** libc: memory mapping, descriptors, and `syscall(2)` where liburing is absent or too old. */
export const LIBC_SYMBOLS = {
  // long syscall(long number, ...): used for io_uring_setup/enter/register by number. Those return an int,
  // so the result is read as i32 (the low half of the long), which keeps Deno off its BigInt path.
  syscall: { parameters: ["i64", "i64", "i64", "i64", "i64", "i64", "i64"], result: "i32" },
  // void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)
  mmap: { parameters: ["u64", "u64", "i32", "i32", "i32", "i64"], result: "i64" },
  // int munmap(void *addr, size_t length)
  munmap: { parameters: ["u64", "u64"], result: "i32" },
  // int close(int fd)
  close: { parameters: ["i32"], result: "i32" },
  // ssize_t read(int fd, void *buf, size_t count)
  read: { parameters: ["i32", "buffer", "u64"], result: "i64" },
  // ssize_t write(int fd, const void *buf, size_t count)
  write: { parameters: ["i32", "buffer", "u64"], result: "i64" },
  // int eventfd(unsigned int initval, int flags)
  eventfd: { parameters: ["u32", "i32"], result: "i32" },
  // int pipe2(int pipefd[2], int flags)
  pipe2: { parameters: ["buffer", "i32"], result: "i32" },
  // int socketpair(int domain, int type, int protocol, int sv[2])
  socketpair: { parameters: ["i32", "i32", "i32", "buffer"], result: "i32" },
  // int getsockname(int sockfd, struct sockaddr *addr, socklen_t *addrlen)
  getsockname: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  // int getpeername(int sockfd, struct sockaddr *addr, socklen_t *addrlen)
  getpeername: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  // int socket(int domain, int type, int protocol)
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  // int bind(int sockfd, const struct sockaddr *addr, socklen_t addrlen)
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  // int listen(int sockfd, int backlog)
  listen: { parameters: ["i32", "i32"], result: "i32" },
  // int setsockopt(int sockfd, int level, int optname, const void *optval, socklen_t optlen)
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  // int fcntl(int fd, int cmd, ... /* int arg */): variadic, called here with one int argument
  fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" },
  // int getrlimit(int resource, struct rlimit *rlim): two rlim_t (u64) values, soft then hard
  getrlimit: { parameters: ["i32", "buffer"], result: "i32" },
  // int setrlimit(int resource, const struct rlimit *rlim)
  setrlimit: { parameters: ["i32", "buffer"], result: "i32" },
  // int getpagesize(void)
  getpagesize: { parameters: [], result: "i32" },
  // int *__errno_location(void): the calling thread's errno
  __errno_location: { parameters: [], result: "u64" },
  // char *getenv(const char *name): only to tell whether a variable Deno may not read is set (ffi/native.ts)
  getenv: { parameters: ["buffer"], result: "u64" },
} as const satisfies SymbolTable;

/** libc, called off the JavaScript thread by the completion waiter (`ring/notifier.ts`). */
export const WAITER_SYMBOLS = {
  // int poll(struct pollfd *fds, nfds_t nfds, int timeout)
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32", nonblocking: true },
} as const satisfies SymbolTable;

/** The JavaScript type of a parameter of a neutral type. */
export type ParameterOf<T extends NativeType> = T extends "buffer" ? ArrayBufferView | null
  : T extends "void" ? never
  : number;

/** The JavaScript type of a result of a neutral type. */
export type ResultOf<T extends NativeType> = T extends "void" ? void : number;

/** The JavaScript parameter list of a neutral parameter type list. */
export type ParametersOf<P> = P extends readonly [infer H extends NativeType, ...infer R]
  ? [ParameterOf<H>, ...ParametersOf<R>]
  : [];

/** The callable form of a symbol table (blocking calls). */
export type Callable<S extends SymbolTable> = {
  [K in keyof S]: (...args: ParametersOf<S[K]["parameters"]>) => ResultOf<S[K]["result"]>;
};
