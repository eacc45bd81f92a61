import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';

/** One webhook POST, to be sent to `addresses` only (the ones the SSRF guard checked). */
interface PinnedRequest {
  url: URL;
  addresses: readonly string[];
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

/** Sends a {@link PinnedRequest} and answers with the receiver's status code (redirects are not followed). */
export type WebhookSender = (request: PinnedRequest) => Promise<{ status: number }>;

class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/**
 * POST over node:http(s) with a `lookup` that answers only the addresses already checked, so the
 * connection cannot go where a second DNS answer points (DNS rebinding between check and connect).
 * The URL's hostname still sets `Host` and the TLS server name, and the certificate is verified
 * against it. No redirect is followed: a 3xx is just the answer. The timeout covers connecting
 * and waiting for the status line; the body of the answer is not read.
 */
export const pinnedPost: WebhookSender = (req) => {
  const [first] = req.addresses;
  if (first === undefined) return Promise.reject(new Error(`No address to send to for ${req.url.hostname}`));
  const lookup: LookupFunction = (_host, options, callback) => {
    if (options.all)
      callback(
        null,
        req.addresses.map((address) => ({ address, family: isIP(address) })),
      );
    else callback(null, first, isIP(first));
  };
  const send = req.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = send(
      req.url,
      {
        method: 'POST',
        headers: { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) },
        lookup,
        // A fresh connection per attempt: a pooled socket could have been opened to another address.
        agent: false,
      },
      (response) => {
        clearTimeout(timer);
        resolve({ status: response.statusCode ?? 0 });
        response.destroy();
      },
    );
    const timer = setTimeout(
      () => outgoing.destroy(new TimeoutError(`No answer within ${req.timeoutMs} ms`)),
      req.timeoutMs,
    );
    outgoing.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    outgoing.end(req.body);
  });
};
