import { useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useEffect } from 'react';
import { useTRPC } from '../lib/trpc';
import { ErrorMessage } from './ErrorMessage';
import { ProgressBar } from './ProgressBar';

/** Live progress of one sync from the `syncs.progress` subscription (SSE); refreshes the pages when it ends. */
export function LiveProgress({ syncLogId, label }: { syncLogId: string; label: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const subscription = useSubscription(trpc.syncs.progress.subscriptionOptions({ id: syncLogId }));
  const event = subscription.data;
  const terminal = event?.terminal === true;
  useEffect(() => {
    if (!terminal) return;
    void queryClient.invalidateQueries({ queryKey: trpc.syncLogs.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.monitoring.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.resync.pathKey() });
  }, [terminal, queryClient, trpc]);
  if (subscription.error) return <ErrorMessage error={subscription.error} onRetry={subscription.reset} />;
  if (!event) return <p className="muted">Connecting to live progress…</p>;
  return <ProgressBar event={event} label={label} />;
}
