/**
 * The one error the HTTP layer throws at itself: a status to answer with, and
 * whether the connection must close after it (framing that cannot be trusted).
 *
 * @module
 */
import { STATUS_TEXT } from "./_status.ts";

/** A request the server answers with `status` instead of passing it to the handler. */
export class HttpError extends Error {
  /**
   * @param status The response status (4xx or 5xx).
   * @param close True when the connection cannot carry another request after this one.
   * @param message Why, for the access log and tests; defaults to the status text.
   */
  constructor(readonly status: number, readonly close = false, message?: string) {
    super(message ?? STATUS_TEXT[status] ?? `status ${status}`);
    this.name = "HttpError";
  }
}
