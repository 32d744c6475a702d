/**
 * Promises made already fulfilled, marked with their value: serveDir and
 * serveFile return a Promise (as `@std/http`'s do), but most of their
 * Responses are ready at once, and awaiting a promise costs the server
 * microtask turns on every request. The server takes a marked promise's value
 * directly; anyone else awaits it as any promise.
 *
 * @module
 */

const VALUE = Symbol("ioring settled value");

type Marked<T> = Promise<T> & { [VALUE]?: T };

/** `Promise.resolve(value)`, marked with `value`. */
export function settled<T>(value: T): Promise<T> {
  const promise: Marked<T> = Promise.resolve(value);
  promise[VALUE] = value;
  return promise;
}

/** The value of a promise made by {@link settled}; undefined for any other value or promise. */
export function settledValue<T>(promise: Promise<T> | unknown): T | undefined {
  if (typeof promise !== "object" || promise === null) return undefined;
  return (promise as Marked<T>)[VALUE];
}
