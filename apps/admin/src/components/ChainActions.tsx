import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { download } from '../lib/csv';
import { useTRPC, useTRPCClient } from '../lib/trpc';
import { ErrorMessage } from './ErrorMessage';

/** Verify an organization's hash chain and download the evidence export (for auditors). */
export function ChainActions({ organizationId }: { organizationId: string }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  // Verified when the card shows (chain status is part of an integration's health), then on demand.
  const verify = useQuery({
    ...trpc.audit.verify.queryOptions({ organizationId }),
    staleTime: 60_000,
    retry: false,
  });
  const [evidenceError, setEvidenceError] = useState<unknown>(null);
  const [downloading, setDownloading] = useState(false);
  const result = verify.data;

  async function downloadEvidence() {
    setEvidenceError(null);
    setDownloading(true);
    try {
      const from = '2000-01-01T00:00:00.000Z';
      const to = new Date().toISOString();
      const first = await client.audit.evidence.query({ organizationId, from, to });
      const rows = [...first.rows];
      let cursor = first.nextCursor;
      while (cursor !== null) {
        const page = await client.audit.evidence.query({ organizationId, from, to, cursor });
        rows.push(...page.rows);
        cursor = page.nextCursor;
      }
      const evidence = { manifest: first.manifest, tombstones: first.tombstones, rows };
      download(
        `evidence-${organizationId}-${to.slice(0, 10)}.json`,
        JSON.stringify(evidence, null, 2),
        'application/json',
      );
    } catch (error) {
      setEvidenceError(error);
    } finally {
      setDownloading(false);
    }
  }

  return (
    <div className="chain">
      <div className="actions">
        <button
          type="button"
          className="button-secondary"
          onClick={() => void verify.refetch()}
          disabled={verify.isFetching}
        >
          {verify.isFetching ? 'Verifying…' : result ? 'Verify chain again' : 'Verify chain'}
        </button>
        <button
          type="button"
          className="button-secondary"
          onClick={() => void downloadEvidence()}
          disabled={downloading}
        >
          {downloading ? 'Preparing…' : 'Download evidence'}
        </button>
      </div>
      <div aria-live="polite">
        {result &&
          (result.ok ? (
            <p className="notice notice-success">
              Chain verified: {result.checked} sealed record{result.checked === 1 ? '' : 's'}, no breaks.
            </p>
          ) : (
            <div className="notice notice-error">
              <p>
                Chain broken: {result.breaks.length} break{result.breaks.length === 1 ? '' : 's'} in{' '}
                {result.checked} records.
              </p>
              <ul>
                {result.breaks.map((b) => (
                  <li key={`${b.chainSeq}-${b.kind}`}>
                    Position {b.chainSeq}: {b.kind}
                    {b.syncLogId ? ` (sync ${b.syncLogId})` : ''}
                  </li>
                ))}
              </ul>
            </div>
          ))}
      </div>
      {verify.error && <ErrorMessage error={verify.error} />}
      {evidenceError !== null && <ErrorMessage error={evidenceError} />}
    </div>
  );
}
