import {
  createRootRouteWithContext,
  createRoute,
  createRouter,
  Outlet,
  redirect,
} from '@tanstack/react-router';
import { Shell } from './components/Shell';
import { parseHistorySearch } from './lib/history-search';
import { loadSession, type Session } from './lib/session';
import { HistoryPage } from './pages/HistoryPage';
import { IntegrationsPage } from './pages/IntegrationsPage';
import { ProblemsPage } from './pages/ProblemsPage';
import { SignInPage } from './pages/SignInPage';
import { SyncDetailPage } from './pages/SyncDetailPage';
import { WebhooksPage } from './pages/WebhooksPage';

export interface RouterContext {
  session: Session | null;
}

const rootRoute = createRootRouteWithContext<RouterContext>()({ component: Outlet });

const signInRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/sign-in',
  validateSearch: (raw: Record<string, unknown>): { redirect?: string } =>
    typeof raw.redirect === 'string' && raw.redirect.startsWith('/') ? { redirect: raw.redirect } : {},
  component: SignInPage,
});

const signedInRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: 'signed-in',
  beforeLoad: ({ location }) => {
    // sessionStorage, not the router context: right after sign-in the context has not caught up yet.
    if (!loadSession()) throw redirect({ to: '/sign-in', search: { redirect: location.href } });
  },
  component: Shell,
});

const integrationsRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/',
  component: IntegrationsPage,
});

const historyRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/history',
  validateSearch: parseHistorySearch,
  component: HistoryPage,
});

const syncRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/syncs/$syncId',
  component: SyncDetailPage,
});

const problemsRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/problems',
  validateSearch: (raw: Record<string, unknown>): { organizationId: string; accountingSystem: string } => ({
    organizationId: typeof raw.organizationId === 'string' ? raw.organizationId : '',
    accountingSystem: typeof raw.accountingSystem === 'string' ? raw.accountingSystem : '',
  }),
  component: ProblemsPage,
});

const webhooksRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/webhooks',
  validateSearch: (raw: Record<string, unknown>): { organizationId?: string } =>
    typeof raw.organizationId === 'string' ? { organizationId: raw.organizationId } : {},
  component: WebhooksPage,
});

const routeTree = rootRoute.addChildren([
  signInRoute,
  signedInRoute.addChildren([integrationsRoute, historyRoute, syncRoute, problemsRoute, webhooksRoute]),
]);

export function createAppRouter(options: { history?: Parameters<typeof createRouter>[0]['history'] } = {}) {
  return createRouter({
    routeTree,
    context: { session: null },
    defaultPreload: false,
    scrollRestoration: true,
    ...(options.history ? { history: options.history } : {}),
  });
}

export type AppRouterInstance = ReturnType<typeof createAppRouter>;

declare module '@tanstack/react-router' {
  interface Register {
    router: AppRouterInstance;
  }
}
