import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from '@tanstack/react-router';
import { useEffect, useRef, useState } from 'react';
import { isUnauthenticated } from './lib/errors';
import { SessionProvider, useSession } from './lib/session-context';
import { createClient, TRPCProvider } from './lib/trpc';
import { type AppRouterInstance, createAppRouter } from './router';

function Providers({ router }: { router: AppRouterInstance }) {
  const { session, signOut } = useSession();
  const tokenRef = useRef<string | null>(session?.token ?? null);
  tokenRef.current = session?.token ?? null;
  const signOutRef = useRef(signOut);
  signOutRef.current = signOut;
  const [queryClient] = useState(() => {
    // A 401 anywhere means the token is no longer accepted: forget it and go back to sign-in.
    const onError = (error: unknown) => {
      if (isUnauthenticated(error) && tokenRef.current) signOutRef.current('expired');
    };
    return new QueryClient({
      queryCache: new QueryCache({ onError }),
      mutationCache: new MutationCache({ onError }),
      defaultOptions: {
        queries: {
          staleTime: 2_000,
          retry: (count, error) => !isUnauthenticated(error) && count < 1,
        },
      },
    });
  });
  const [trpcClient] = useState(() => createClient(() => tokenRef.current));

  useEffect(() => {
    if (!session) queryClient.clear();
    void router.invalidate();
  }, [session, router, queryClient]);

  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        <RouterProvider router={router} context={{ session }} />
      </TRPCProvider>
    </QueryClientProvider>
  );
}

export function App({ router }: { router?: AppRouterInstance }) {
  const [instance] = useState(() => router ?? createAppRouter());
  return (
    <SessionProvider>
      <Providers router={instance} />
    </SessionProvider>
  );
}
