import type { DynamicsCompany } from './dynamics-ledger.js';
import {
  type Answer,
  collection,
  methodNotAllowed,
  notFound,
  parseKeyFilter,
  type Segment,
  unsupportedFilter,
} from './dynamics-odata.js';
import { dimensionValuesView, dimensionView, employeeView, taxGroupView } from './dynamics-posting-setup.js';

/**
 * The read-only master data the posting model names: `taxGroups` (the VAT Prod. Posting Groups
 * when the company uses VAT — V: BCApps `APIV2TaxGroups.Page.al`), `employees` (table 5200),
 * `dimensions` and `dimensions({id})/dimensionValues` (V: `APIV2Dimensions.Page.al`,
 * `APIV2DimensionValues.Page.al`). Filters: `<key> eq '…'` joined by `or`, as the adapter sends.
 */
export function masterDataAnswer(
  company: DynamicsCompany,
  segments: readonly Segment[],
  method: string,
  path: string,
  search: URLSearchParams,
): Answer {
  if (method !== 'GET') return methodNotAllowed(method, path);
  const [, second, third] = segments;
  if (second === undefined) return notFound(path);
  const { setup } = company;
  if (second.name === 'dimensions' && second.key !== undefined) {
    const dimension = [...setup.dimensions.values()].find((d) => d.id === second.key?.toLowerCase());
    if (!dimension || third?.name !== 'dimensionValues' || segments.length > 3) return notFound(path);
    return collection(dimensionValuesView(dimension));
  }
  if (segments.length > 2 || second.key !== undefined) return notFound(path);
  const field = second.name === 'employees' ? 'number' : 'code';
  const filter = search.get('$filter');
  const keys = filter === null ? undefined : parseKeyFilter(filter, field);
  if (keys === null) return unsupportedFilter(second.name, field);
  const wanted = keys ? new Set(keys.map((k) => k.toUpperCase())) : undefined;
  const keep = (key: string) => !wanted || wanted.has(key);
  if (second.name === 'employees')
    return collection([...setup.employees.values()].filter((e) => keep(e.number)).map(employeeView));
  if (second.name === 'taxGroups')
    return collection([...setup.vatRates.keys()].filter(keep).map(taxGroupView));
  return collection([...setup.dimensions.values()].filter((d) => keep(d.code)).map(dimensionView));
}
