/**
 * A file response made anew: a small body the server reads as it sends it
 * (see `FileBody.refresh`) may find the file changed since serveDir described
 * it. The response is then made again from the file opened afresh, and the
 * fields a handler set on the stale one are carried over, except those that
 * describe the file's bytes, which only the fresh one gets right.
 *
 * @module
 */
import type { FileBody } from "./_file_response.ts";
import { untouchedFields } from "./_file_lazy.ts";

/** Fields that describe the file's bytes: the fresh response's stand. */
const DESCRIBING = new Set(["content-length", "content-range", "etag", "last-modified"]);

/** The response to send instead of `stale`, whose `file` changed before any byte was sent. */
export async function refreshedResponse(stale: Response, file: FileBody): Promise<Response> {
  const fresh = await file.refresh!();
  if (untouchedFields(stale) !== undefined) return fresh; // nobody changed the stale one's fields
  const names = new Set<string>();
  stale.headers.forEach((_, name) => names.add(name));
  for (const name of names) if (!DESCRIBING.has(name)) fresh.headers.delete(name);
  stale.headers.forEach((value, name) => {
    if (!DESCRIBING.has(name)) fresh.headers.append(name, value);
  });
  return fresh;
}
