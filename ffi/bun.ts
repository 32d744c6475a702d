/**
 * The Bun side of the FFI line: `bun:ffi`, loaded with a computed specifier so
 * that `deno check` of the whole project never resolves it.
 *
 * @module
 */
import type { OpenedLibrary, ReadableWaiter, RuntimeAdapter } from "./adapter.ts";
import type { NativeType, SymbolSpec, SymbolTable } from "./symbols.ts";
import { WAITER_SYMBOLS } from "./symbols.ts";

/** The part of `bun:ffi` this adapter uses. */
interface BunFfi {
  dlopen(
    path: string,
    symbols: Record<string, { args: string[]; returns: string }>,
  ): { symbols: Record<string, (...args: unknown[]) => unknown>; close(): void };
  ptr(view: ArrayBufferView): number;
  toArrayBuffer(address: number, byteOffset: number, byteLength: number): ArrayBuffer;
  read: { i32(address: number, byteOffset?: number): number };
}

/** Bun's `Worker` adds `ref`/`unref`, as Node's does. */
interface RefWorker extends Worker {
  ref(): void;
  unref(): void;
}

const bunFfiModule = "bun:ffi";
const ffi: BunFfi = await import(bunFfiModule);

// `*_fast` returns a number whenever the value fits, which every result here does.
const BUN_TYPE = {
  i32: "i32",
  u32: "u32",
  i64: "i64_fast",
  u64: "u64_fast",
  buffer: "ptr",
  void: "void",
} as const satisfies Record<NativeType, string>;

function toBun(spec: SymbolSpec): { args: string[]; returns: string } {
  return { args: spec.parameters.map((t) => BUN_TYPE[t]), returns: BUN_TYPE[spec.result] };
}

function open<S extends SymbolTable>(path: string, symbols: S): OpenedLibrary<S> {
  const spec: Record<string, { args: string[]; returns: string }> = {};
  for (const [name, s] of Object.entries(symbols)) spec[name] = toBun(s);
  const lib = ffi.dlopen(path, spec);
  return { symbols: lib.symbols as unknown as OpenedLibrary<S>["symbols"], close: () => lib.close() };
}

const IDLE = 0;
const ARMED = 1;

// The waiter Worker: it sleeps on a shared flag until armed, then blocks in
// poll(2) on the eventfd, reports, and sleeps again. Its event loop is never
// needed after start, so it loops inside its first message handler.
const WORKER_SOURCE = `
self.onmessage = async (event) => {
  const { libcPath, spec, fd, control } = event.data;
  const { dlopen } = await import("bun:ffi");
  const { poll } = dlopen(libcPath, { poll: spec }).symbols;
  const flag = new Int32Array(control);
  const pollfd = new Int32Array([fd, 1, 0]);
  postMessage("ready");
  for (;;) {
    Atomics.wait(flag, 0, ${IDLE});
    poll(pollfd, 1, -1);
    Atomics.store(flag, 0, ${IDLE});
    postMessage("readable");
  }
};
`;

/**
 * Bun has no nonblocking FFI call, so a Worker blocks in poll(2) for the
 * JavaScript thread. It is unref'd whenever nothing is pending, so it never
 * keeps the process alive by itself.
 */
function createWaiter(libcPath: string, fd: number, onReadable: () => void): ReadableWaiter {
  const control = new Int32Array(new SharedArrayBuffer(4));
  const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "application/javascript" }));
  const worker = new Worker(url) as RefWorker;
  let busy = false;
  worker.onmessage = (event: MessageEvent) => {
    if (event.data !== "readable") return;
    busy = false;
    worker.unref();
    onReadable();
  };
  worker.postMessage({ libcPath, spec: toBun(WAITER_SYMBOLS.poll), fd, control: control.buffer });
  worker.unref();
  return {
    get busy() {
      return busy;
    },
    arm() {
      worker.ref();
      if (busy) return;
      busy = true;
      Atomics.store(control, 0, ARMED);
      Atomics.notify(control, 0);
    },
    release() {
      worker.unref();
    },
  };
}

/** The Bun runtime adapter. */
export const adapter: RuntimeAdapter = {
  runtime: "bun",
  open,
  addressOf: (view) => {
    // JavaScriptCore keeps small typed arrays inline in the object and moves their bytes out to an
    // ArrayBuffer the first time `.buffer` is read: read it first, so the address stays valid.
    void view.buffer;
    return ffi.ptr(view);
  },
  arrayBufferAt: (address, length) => ffi.toArrayBuffer(address, 0, length),
  readI32: (address) => ffi.read.i32(address, 0),
  createWaiter,
  allowed: () => true, // Bun has no permissions
};
