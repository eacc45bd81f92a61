import { useQuery } from '@tanstack/react-query';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import { type FormEvent, useId, useState } from 'react';
import { ErrorMessage } from '../components/ErrorMessage';
import { decodeToken, type Session } from '../lib/session';
import { useSession } from '../lib/session-context';
import { createClient } from '../lib/trpc';

interface DemoTokens {
  demo: boolean;
  tokens: { label: string; role: string; organizationId?: string; token: string }[];
}

const route = getRouteApi('/sign-in');

/** Sign in with a bearer token; the `pnpm start` demo also offers its roles with one click. */
export function SignInPage() {
  const { signIn, signOutReason } = useSession();
  const navigate = useNavigate();
  const search = route.useSearch();
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [apiError, setApiError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const tokenId = useId();
  const demo = useQuery({
    queryKey: ['demo-tokens'],
    queryFn: async (): Promise<DemoTokens> => {
      const response = await fetch('/demo-tokens', { headers: { accept: 'application/json' } });
      return response.ok ? ((await response.json()) as DemoTokens) : { demo: false, tokens: [] };
    },
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
  });

  async function attempt(raw: string) {
    setProblem(null);
    setApiError(null);
    const session = decodeToken(raw);
    if ('problem' in session) {
      setProblem(session.problem);
      return;
    }
    setBusy(true);
    try {
      // Ask the API once, so a forged or foreign token is refused here and not on the next page.
      await createClient(() => session.token).organizations.list.query();
      signIn(session as Session);
      await navigate({ to: search.redirect ?? '/' });
    } catch (error) {
      setApiError(error);
    } finally {
      setBusy(false);
    }
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    void attempt(token);
  }

  return (
    <main id="main" className="sign-in">
      <h1>Sign in to the accounting sync console</h1>
      {signOutReason === 'expired' && (
        <p className="notice notice-warning" role="status">
          The API no longer accepts your token (it expired or was revoked). Sign in again.
        </p>
      )}
      <form onSubmit={onSubmit} className="card" aria-describedby={`${tokenId}-hint`}>
        <label htmlFor={tokenId}>Bearer token</label>
        <textarea
          id={tokenId}
          value={token}
          onChange={(e) => setToken(e.target.value)}
          rows={4}
          spellCheck={false}
          autoComplete="off"
          required
          aria-invalid={problem ? true : undefined}
        />
        <p id={`${tokenId}-hint`} className="muted">
          Paste the JWT you were given. It is kept in this tab only and forgotten when you sign out or close
          it.
        </p>
        {problem && (
          <p className="notice notice-error" role="alert">
            {problem}
          </p>
        )}
        {apiError !== null && <ErrorMessage error={apiError} />}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      {demo.data?.demo && (
        <DemoRoles tokens={demo.data.tokens} busy={busy} onPick={(picked) => void attempt(picked)} />
      )}
    </main>
  );
}

/** The demo's roles, one click each (offered only when the server runs the `pnpm start` demo). */
function DemoRoles({
  tokens,
  busy,
  onPick,
}: {
  tokens: DemoTokens['tokens'];
  busy: boolean;
  onPick: (token: string) => void;
}) {
  return (
    <section className="card" aria-labelledby="demo-heading">
      <h2 id="demo-heading">Demo roles</h2>
      <p className="muted">
        This server runs the <code>pnpm start</code> demo; pick a role to sign in with one click.
      </p>
      <ul className="demo-roles">
        {tokens.map((t) => (
          <li key={t.label}>
            <button
              type="button"
              className="button-secondary"
              disabled={busy}
              onClick={() => onPick(t.token)}
            >
              Sign in as {t.label}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
