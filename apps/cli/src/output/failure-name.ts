import { type ErrorCategory, rejectionCategoryOf } from '@meander/domain';

/**
 * "CREDENTIALS_REJECTED (auth)": a failure named as the console's card and sync page and the webhook
 * payloads name it — the catalogue's code and category (the raw code and the transport category,
 * mapped, for a record older than the catalogue).
 */
export function failureHeadline(f: {
  code: string;
  category?: ErrorCategory | undefined;
  catalogCode?: string | undefined;
  catalogCategory?: string | undefined;
}): string {
  const category = f.catalogCategory ?? (f.category ? rejectionCategoryOf(f.category) : 'unclassified');
  return `${f.catalogCode ?? f.code} (${category})`;
}
