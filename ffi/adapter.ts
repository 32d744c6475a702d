import type { Callable, SymbolTable } from "./symbols.ts";

/** A library opened through the runtime's FFI. */
export interface OpenedLibrary<S extends SymbolTable> {
  readonly symbols: Callable<S>;
  close(): void;
}

/**
 * Blocks a thread other than the JavaScript one until a file descriptor is
 * readable, and calls back on the JavaScript thread when it is. See
 * `ring/notifier.ts` for why completions are awaited this way.
 */
export interface ReadableWaiter {
  /** Starts one wait, unless one is under way; `onReadable` runs once when it ends. */
  arm(): void;
  /** True while a wait is under way. */
  readonly busy: boolean;
  /** Lets the process exit although a wait is under way (nothing is pending any more). */
  release(): void;
}

/**
 * What each runtime provides below the FFI line. Everything above it
 * (`ffi/native.ts`, `ring/`, `ops/`) is written once against this interface.
 */
export interface RuntimeAdapter {
  readonly runtime: "deno" | "bun";
  /** Opens a shared library and binds a symbol table; throws if the library or a symbol is missing. */
  open<S extends SymbolTable>(path: string, symbols: S): OpenedLibrary<S>;
  /** The address of the first byte of a view. The caller must keep the view alive while the address is in use. */
  addressOf(view: ArrayBufferView): number;
  /** An ArrayBuffer over native memory at `address` (no copy). */
  arrayBufferAt(address: number, length: number): ArrayBuffer;
  /** Reads a native `int` at `address`. */
  readI32(address: number): number;
  /** Creates a waiter on `fd`, using `libcPath`'s `poll` off the JavaScript thread. */
  createWaiter(libcPath: string, fd: number, onReadable: () => void): ReadableWaiter;
  /**
   * Whether the process may read an environment variable (`"env"`) or a file (`"read"`) without asking: true
   * where the runtime has no permissions (Bun), Deno's permission state otherwise. Asking would prompt in a
   * terminal, or throw.
   */
  allowed(kind: "env" | "read", target: string): boolean;
}
