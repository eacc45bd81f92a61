import { DEFAULT_TIME_ZONE } from '@meander/domain';
import type { Client } from './client.js';

/** What the CLI shows of an organization: its name and the zone its times are read in. */
export interface OrganizationInfo {
  id: string;
  name: string;
  timeZone: string;
}

/**
 * The organizations the token may see, asked for once per command and only when a command needs a
 * name or a zone. An organization the list does not hold (another tenant's id typed by hand) is
 * shown by its id, in UTC.
 */
export class OrganizationDirectory {
  private all: Promise<Map<string, OrganizationInfo>> | undefined;

  constructor(private readonly client: Client) {}

  /** Every organization the token may see, by name. */
  async list(): Promise<OrganizationInfo[]> {
    return [...(await this.load()).values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  async get(id: string): Promise<OrganizationInfo> {
    const found = (await this.load()).get(id.toLowerCase());
    return found ?? { id, name: id, timeZone: DEFAULT_TIME_ZONE };
  }

  private load(): Promise<Map<string, OrganizationInfo>> {
    this.all ??= this.client.organizations.list
      .query()
      .then(
        (items) =>
          new Map(
            items.map((o) => [
              o.id.toLowerCase(),
              { id: o.id, name: o.name, timeZone: o.timeZone ?? DEFAULT_TIME_ZONE },
            ]),
          ),
      );
    return this.all;
  }
}
