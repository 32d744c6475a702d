import { checkInt, describe } from "../util/checks.ts";

/**
 * A file registered with a ring (IORING_REGISTER_FILES), named by its slot.
 * Ops accept it wherever they accept a file descriptor and then set
 * IOSQE_FIXED_FILE themselves, so a caller can never pass a slot number as
 * an fd or forget the flag.
 *
 * @example
 * ```ts ignore
 * import { FixedFile, IoRing, Read } from "@ioring/ioring";
 * using ring = new IoRing();
 * // after registering files with the ring, slot 0:
 * const n = await ring.run(new Read(new FixedFile(0), new Uint8Array(4096), 0));
 * ```
 */
export class FixedFile {
  /** The slot in the ring's registered-file table. */
  readonly index: number;

  /**
   * Builds the operation; the arguments are checked here, before anything reaches the kernel.
   *
   * @param index The slot in the ring's registered-file table.
   */
  constructor(index: number) {
    this.index = checkInt(index, "name a registered file", "index", 0, 0x7fffffff, "an integer >= 0");
  }
}

const FD_LABELS: (string | undefined)[] = new Array(4096);

/** How errors name an fd or a registered file: "fd 5" or "fixed file 2". */
export function fdLabel(fd: number | FixedFile): string {
  if (typeof fd === "number" && fd >= 0 && fd < FD_LABELS.length && Number.isInteger(fd)) {
    // Built with every op, used only in errors: made once per descriptor number.
    return FD_LABELS[fd] ??= `fd ${fd}`;
  }
  return fd instanceof FixedFile
    ? `fixed file ${fd.index}`
    : `fd ${typeof fd === "object" ? describe(fd) : String(fd)}`;
}
