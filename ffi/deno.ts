/**
 * The Deno side of the FFI line: `Deno.dlopen`, `Deno.UnsafePointer*` and
 * `Deno.permissions`.
 *
 * `ffi/native.ts` imports this file with a literal specifier, so that Deno
 * loads it with the module graph and a local import needs no `--allow-read`;
 * `tsc` with bun-types then checks it too, which is why the part of the
 * `Deno` namespace it uses is declared here rather than taken from Deno's
 * global types.
 *
 * @module
 */
import type { OpenedLibrary, ReadableWaiter, RuntimeAdapter } from "./adapter.ts";
import type { NativeType, SymbolTable } from "./symbols.ts";
import { LIBC_SYMBOLS, WAITER_SYMBOLS } from "./symbols.ts";

/** Deno's FFI types that the neutral ones map to (a subset of `Deno.NativeResultType`). */
type DenoNativeType = "i32" | "u32" | "i64" | "u64" | "buffer" | "void";

/** An opaque pointer (`Deno.PointerObject`). */
type PointerObject = object;

/** The part of the `Deno` namespace this adapter uses, with the signatures of Deno 2. */
interface DenoApi {
  dlopen(
    path: string,
    symbols: Record<string, { parameters: DenoNativeType[]; result: DenoNativeType; nonblocking: boolean }>,
  ): { symbols: Record<string, unknown>; close(): void };
  UnsafePointer: {
    of(value: ArrayBufferView): PointerObject | null;
    value(value: PointerObject | null): bigint | number;
    create(value: bigint): PointerObject | null;
  };
  UnsafePointerView: {
    new (pointer: PointerObject): { getInt32(offset?: number): number };
    getArrayBuffer(pointer: PointerObject, byteLength: number): ArrayBuffer;
  };
  permissions: {
    querySync(
      descriptor: { name: "env"; variable: string } | { name: "read"; path: string },
    ): { state: "granted" | "denied" | "prompt" };
  };
}

const Deno = (globalThis as unknown as { Deno: DenoApi }).Deno;

const DENO_TYPE = {
  i32: "i32",
  u32: "u32",
  i64: "i64",
  u64: "u64",
  buffer: "buffer",
  void: "void",
} as const satisfies Record<NativeType, DenoNativeType>;

function open<S extends SymbolTable>(path: string, symbols: S): OpenedLibrary<S> {
  const spec: Record<string, { parameters: DenoNativeType[]; result: DenoNativeType; nonblocking: boolean }> =
    {};
  for (const [name, s] of Object.entries(symbols)) {
    spec[name] = {
      parameters: s.parameters.map((t) => DENO_TYPE[t]),
      result: DENO_TYPE[s.result],
      nonblocking: s.nonblocking ?? false,
    };
  }
  const lib = Deno.dlopen(path, spec);
  const bound: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(symbols)) {
    const fn = lib.symbols[name] as (...args: unknown[]) => unknown;
    // Deno returns 64-bit integers as bigint; the neutral interface deals in numbers.
    bound[name] = s.result === "i64" || s.result === "u64"
      ? (...args: unknown[]) => Number(fn(...args) as bigint)
      : fn;
  }
  return { symbols: bound as OpenedLibrary<S>["symbols"], close: () => lib.close() };
}

// Asking Deno for a pointer costs ~230 ns (an op call and a BigInt); a buffer's
// memory never moves once it has been handed out (V8 keeps backing stores off
// the heap, and resizable buffers are refused above this layer), so the base
// address is looked up once per ArrayBuffer.
const bases = new WeakMap<ArrayBufferLike, number>();

function addressOf(view: ArrayBufferView): number {
  const buffer = view.buffer;
  let base = bases.get(buffer);
  if (base === undefined) {
    base = Number(Deno.UnsafePointer.value(Deno.UnsafePointer.of(new Uint8Array(buffer))));
    bases.set(buffer, base);
  }
  return base + view.byteOffset;
}

function pointerAt(address: number): PointerObject {
  const pointer = Deno.UnsafePointer.create(BigInt(address));
  if (pointer === null) throw new RangeError("Cannot read native memory: the address is null");
  return pointer;
}

function arrayBufferAt(address: number, length: number): ArrayBuffer {
  return Deno.UnsafePointerView.getArrayBuffer(pointerAt(address), length);
}

function readI32(address: number): number {
  return new Deno.UnsafePointerView(pointerAt(address)).getInt32();
}

/**
 * Deno runs a `nonblocking` FFI call on its blocking thread pool and settles a
 * promise on the JavaScript thread, which is exactly a waiter. While the call
 * is pending it keeps the process alive, so `release()` writes to the eventfd
 * to end it.
 */
function createWaiter(libcPath: string, fd: number, onReadable: () => void): ReadableWaiter {
  const lib = open(libcPath, { ...WAITER_SYMBOLS, write: LIBC_SYMBOLS.write });
  // A nonblocking symbol returns a promise of its result in Deno.
  const poll = lib.symbols.poll as unknown as (
    ...args: Parameters<typeof lib.symbols.poll>
  ) => Promise<number>;
  const pollfd = new Int32Array([fd, 1, /* POLLIN */ 0]);
  const pollBytes = new Uint8Array(pollfd.buffer, 0, 8);
  const one = new BigUint64Array([1n]);
  let busy = false;
  const ended = () => {
    busy = false;
    onReadable();
  };
  return {
    get busy() {
      return busy;
    },
    arm() {
      if (busy) return;
      busy = true;
      poll(pollBytes, 1, -1).then(ended, ended);
    },
    release() {
      if (busy) lib.symbols.write(fd, one, 8);
    },
  };
}

/**
 * Whether Deno has granted the permission already: a query, never a request, so that no prompt appears in a
 * terminal and nothing throws without it.
 */
function allowed(kind: "env" | "read", target: string): boolean {
  const descriptor = kind === "env"
    ? { name: "env" as const, variable: target }
    : { name: "read" as const, path: target };
  return Deno.permissions.querySync(descriptor).state === "granted";
}

/** The Deno runtime adapter. */
export const adapter: RuntimeAdapter = {
  runtime: "deno",
  open,
  addressOf,
  arrayBufferAt,
  readI32,
  createWaiter,
  allowed,
};
