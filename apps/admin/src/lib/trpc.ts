import type { AppRouter } from '@meander/api';
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import { createTRPCContext } from '@trpc/tanstack-react-query';
import { EventSource } from 'eventsource';

/** The typed hooks: `useTRPC()` gives query/mutation/subscription options for every procedure. */
export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

/** The tRPC client for a bearer token; SSE for the progress subscription (headers need the fetch-based EventSource). */
export function createClient(getToken: () => string | null, baseUrl = '') {
  const url = `${baseUrl}/trpc`;
  const headers = (): Record<string, string> => {
    const token = getToken();
    return token ? { authorization: `Bearer ${token}` } : {};
  };
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({
          url,
          // The browser's EventSource cannot send an Authorization header; this one fetches.
          EventSource,
          eventSourceOptions: () => ({
            fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, ...headers() } }),
          }),
        }),
        false: httpBatchLink({ url, headers, maxItems: 10 }),
      }),
    ],
  });
}
