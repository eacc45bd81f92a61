import { Link, Outlet, useNavigate } from '@tanstack/react-router';
import { useEffect } from 'react';
import { can } from '../lib/permissions';
import { roleLabel } from '../lib/session';
import { useSession } from '../lib/session-context';

/** The signed-in frame: skip link, navigation, who is signed in, sign-out. */
export function Shell() {
  const { session, signOut } = useSession();
  const navigate = useNavigate();
  useEffect(() => {
    if (!session) void navigate({ to: '/sign-in', search: {} });
  }, [session, navigate]);
  if (!session) return null;
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Meander · Accounting sync</span>
        <nav aria-label="Main">
          <Link to="/" activeOptions={{ exact: true }} activeProps={{ 'aria-current': 'page' }}>
            Integrations
          </Link>
          <Link to="/history" activeProps={{ 'aria-current': 'page' }}>
            History
          </Link>
          {can(session.role, 'webhook.manage') && (
            <Link to="/webhooks" activeProps={{ 'aria-current': 'page' }}>
              Webhooks
            </Link>
          )}
        </nav>
        <div className="who">
          <span>{roleLabel(session)}</span>
          <button type="button" className="button-secondary" onClick={() => signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
