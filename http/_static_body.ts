/**
 * The text a Response was made with, read without making its stream. Making a
 * body stream, a reader and two reads costs more than the rest of a small
 * response in Deno. Deno keeps a Response's text body aside until its stream,
 * headers or `bodyUsed` are first touched (for its own server's fast path);
 * this reads it from there. The field is private to Deno, so it is found by
 * name and checked against known Responses when this module loads: where it
 * is absent or behaves otherwise (Bun, another Deno), `staticBody` answers
 * undefined and the body is read as a stream, as any Response's may be.
 *
 * @module
 */

type Keyed = Record<symbol, unknown>;

/** Deno's "lazy static body" field, if it behaves as this module expects. */
const lazyBody = findField();

function findField(): symbol | null {
  if (!("Deno" in globalThis)) return null;
  try {
    const text = new Response("probe") as unknown as Keyed;
    const field = Object.getOwnPropertySymbols(text).find((s) => s.description === "lazy static body");
    if (field === undefined || text[field] !== "probe") return null;
    const touched = new Response("probe");
    void touched.body;
    const ok = (touched as unknown as Keyed)[field] == null &&
      (new Response(new ReadableStream()) as unknown as Keyed)[field] == null &&
      (new Response(null) as unknown as Keyed)[field] == null;
    return ok ? field : null;
  } catch {
    return null;
  }
}

/** The text `response` was made with, if it is known without reading its stream (read it before the headers). */
export function staticBody(response: Response): string | undefined {
  if (lazyBody === null) return undefined;
  const body = (response as unknown as Keyed)[lazyBody];
  return typeof body === "string" ? body : undefined;
}
