import type { AccountingSystem, RejectionCategory } from '@meander/domain';
import { type CatalogueEntry, REJECTION_CATALOGUE, UNCLASSIFIED } from './catalogue.js';

/** What a ledger said: its raw code and its message, verbatim. */
export interface VendorError {
  code: string;
  message: string;
}

/** A rejection explained. */
export interface ClassifiedRejection {
  code: string;
  category: RejectionCategory;
  message: string;
  fix: string;
  retryable: boolean;
}

const applies = (entry: CatalogueEntry, system: AccountingSystem) =>
  !entry.systems || entry.systems.includes(system);
const codeMatches = (entry: CatalogueEntry, code: string) =>
  (entry.codes ?? []).some((c) => (typeof c === 'string' ? c === code : c.test(code)));
const messageMatches = (entry: CatalogueEntry, message: string) =>
  (entry.messages ?? []).some((m) => m.test(message));

const explain = (entry: Omit<CatalogueEntry, 'codes' | 'messages' | 'systems'>): ClassifiedRejection => ({
  code: entry.code,
  category: entry.category,
  message: entry.message,
  fix: entry.fix,
  retryable: entry.retryable,
});

/**
 * Explain a ledger error: the first entry whose message pattern matches, else the first whose code
 * (or code family) matches, else {@link UNCLASSIFIED}. Pure: the same input always gives the same
 * entry, so a stored `catalogCode` can be explained again later with {@link explainCatalogCode}.
 */
export function classifyRejection(system: AccountingSystem, error: VendorError): ClassifiedRejection {
  const candidates = REJECTION_CATALOGUE.filter((e) => applies(e, system));
  const byMessage = error.message ? candidates.find((e) => messageMatches(e, error.message)) : undefined;
  if (byMessage) return explain(byMessage);
  const byCode = candidates.find((e) => codeMatches(e, error.code));
  return explain(byCode ?? UNCLASSIFIED);
}

/** The human message and fix of a stored catalogue code; unknown codes read as unclassified. */
export function explainCatalogCode(code: string): ClassifiedRejection {
  return explain(REJECTION_CATALOGUE.find((e) => e.code === code) ?? UNCLASSIFIED);
}
