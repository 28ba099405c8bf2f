/**
 * The facts about the current request an audit event carries. The server keeps them per request
 * (AsyncLocalStorage in server/plugins/request-context.ts) and hands the core a function that reads
 * them, so the core never sees HTTP.
 */

/** Who asked, from where: the current request's facts, each absent outside a request. */
export interface RequestFacts {
  ip?: string;
  userAgent?: string;
  /** The request id the server logged the request under (and answered in `X-Request-Id`). */
  requestId?: string;
  /** The signed-in caller's user id, once the request is authenticated. */
  actorId?: string;
}

/** Reads the current request's facts; undefined outside a request (the CLI, the sweep). */
export type RequestContext = () => RequestFacts | undefined;

/** The context outside any server: no request, no facts. */
export const noRequestContext: RequestContext = () => undefined;
