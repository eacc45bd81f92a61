import type { AppRouter } from '@meander/api';
import { createTRPCClient, httpLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import { EventSource } from 'eventsource';

/** Where and as whom the CLI talks to the API. */
export interface Connection {
  apiUrl: string;
  token: string | undefined;
}

/** The typed tRPC client: plain HTTP for queries and mutations, SSE for progress. */
export function createClient(connection: Connection) {
  const url = `${connection.apiUrl.replace(/\/+$/, '')}/trpc`;
  const auth: Record<string, string> = connection.token
    ? { authorization: `Bearer ${connection.token}` }
    : {};
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({
          url,
          EventSource,
          eventSourceOptions: () => ({
            fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, ...auth } }),
          }),
        }),
        false: httpLink({ url, headers: auth }),
      }),
    ],
  });
}

export type Client = ReturnType<typeof createClient>;
