import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';

/**
 * Refuses request bodies over `maxSize` bytes with `onError`'s answer, like Hono's `bodyLimit`, but
 * without touching the request's web `body` stream when it need not. Hono's middleware asks
 * `c.req.raw.body` first, which on the Node server turns the lightweight request into a full web
 * `Request` over a `ReadableStream` over the socket — the costliest part of a small POST. A body
 * that declares its length is judged by the header alone (the HTTP parser stops at that length, so
 * the body cannot be longer), and the handler then reads it straight from the socket. A chunked
 * body has no length to judge, so it goes through Hono's counting reader as before.
 */
export function declaredBodyLimit(options: {
  maxSize: number;
  onError: (c: Context) => Response | Promise<Response>;
}): MiddlewareHandler {
  const counting = bodyLimit(options);
  return async (c, next) => {
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD') return next();
    const headers = c.req.raw.headers;
    const declared = headers.get('content-length');
    if (declared !== null && !headers.has('transfer-encoding')) {
      return Number.parseInt(declared, 10) > options.maxSize ? options.onError(c) : next();
    }
    return counting(c, next);
  };
}
