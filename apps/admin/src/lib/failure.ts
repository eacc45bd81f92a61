/** The fields of a sync-level error or a record failure that name what went wrong. */
export interface FailureFields {
  code: string;
  category?: string | undefined;
  catalogCode?: string | undefined;
  catalogCategory?: string | undefined;
}

/** How every screen names one failure: the catalogue's code and category, the ledger's code beside. */
export interface FailureName {
  /** The rejection catalogue's code (the raw code for a record older than the catalogue). */
  code: string;
  /** The catalogue's category (the sync-level category otherwise). */
  category: string;
  /** The ledger's own code when it differs from the headline, else null. */
  vendorCode: string | null;
}

// The domain's rejectionCategoryOf, restated for the browser bundle: how a record older than the
// catalogue (transport category only) is named.
const FROM_TRANSPORT: Record<string, string> = {
  rate_limit: 'transient',
  unavailable: 'transient',
  unknown: 'unclassified',
};

/**
 * One name per failure, the same on the card, the detail page, the CLI and in webhook payloads:
 * the catalogue's code as the headline, the vendor's code beside it.
 */
export function failureName(f: FailureFields): FailureName {
  const code = f.catalogCode ?? f.code;
  return {
    code,
    category: f.catalogCategory ?? (f.category ? (FROM_TRANSPORT[f.category] ?? f.category) : 'unclassified'),
    vendorCode: f.catalogCode && f.catalogCode !== f.code ? f.code : null,
  };
}

/** "CREDENTIALS_REJECTED (auth)", the form the card's health reasons use too. */
export function failureHeadline(f: FailureFields): string {
  const name = failureName(f);
  return `${name.code} (${name.category})`;
}
