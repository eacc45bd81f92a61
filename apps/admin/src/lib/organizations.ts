import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { usableTimeZone } from './format';
import { useTRPC } from './trpc';

/** What the console shows of an organization: its name and the zone its times are shown in. */
export interface OrganizationView {
  id: string;
  name: string;
  /** IANA zone; UTC when the organization names none (or one this browser does not know). */
  timeZone: string;
}

/** An API organization → the view (reads `timeZone` when the API sends one). */
function organizationView(o: { id: string; name: string; timeZone?: unknown }): OrganizationView {
  return {
    id: o.id,
    name: o.name,
    timeZone: usableTimeZone(typeof o.timeZone === 'string' ? o.timeZone : null),
  };
}

/** The organizations the signed-in principal may see, by id. */
export function useOrganizations() {
  const trpc = useTRPC();
  const query = useQuery({ ...trpc.organizations.list.queryOptions(), staleTime: 60_000 });
  const byId = useMemo(
    () => new Map((query.data ?? []).map((o) => [o.id, organizationView(o)])),
    [query.data],
  );
  return { ...query, byId, list: [...byId.values()] };
}

/** Name and zone of one organization; a short id and UTC until the list has loaded (or when hidden). */
export function useOrganization(id: string | undefined): OrganizationView | null {
  const { byId } = useOrganizations();
  if (!id) return null;
  return byId.get(id) ?? { id, name: `Organization ${id.slice(0, 8)}`, timeZone: 'UTC' };
}
