/**
 * A server holding many idle connections needs many descriptors: the soft
 * limit on open files (often 1024) is raised to the hard one, as nginx's
 * `worker_rlimit_nofile` and Go's runtime do, once per process.
 *
 * @module
 */
import { nativeOrNull } from "../ffi/native.ts";
import { RLIMIT_NOFILE } from "../kernel/constants.ts";

let raised: number | null = null;

/** Raises RLIMIT_NOFILE's soft limit to its hard limit; returns the soft limit now in force (or Infinity). */
export function raiseFileLimit(): number {
  if (raised !== null) return raised;
  const native = nativeOrNull();
  const limits = new BigUint64Array(2);
  if (native === null || native.getrlimit(RLIMIT_NOFILE, limits) < 0) return (raised = Infinity);
  if (limits[0] < limits[1]) {
    const wanted = new BigUint64Array([limits[1], limits[1]]);
    if (native.setrlimit(RLIMIT_NOFILE, wanted) === 0) limits[0] = limits[1];
  }
  raised = limits[0] > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(limits[0]);
  return raised;
}
