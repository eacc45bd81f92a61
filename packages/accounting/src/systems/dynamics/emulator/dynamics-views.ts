import type {
  DynamicsAccount,
  DynamicsCompany,
  DynamicsGlEntry,
  DynamicsJournal,
  DynamicsLedgerLine,
} from './dynamics-ledger.js';
import { wireEnum } from './dynamics-odata.js';

export function etagOf(line: DynamicsLedgerLine): string {
  return `W/"${line.id}:${line.version}"`;
}

export function lineView(line: DynamicsLedgerLine) {
  return {
    '@odata.etag': etagOf(line),
    id: line.id,
    journalId: line.journalId,
    lineNumber: line.lineNumber,
    // Enum values go out as OData writes them on the wire (`G_x002F_L_x0020_Account`).
    accountType: wireEnum(line.accountType),
    accountNumber: line.accountNumber,
    postingDate: line.postingDate,
    documentNumber: line.documentNumber,
    externalDocumentNumber: line.externalDocumentNumber,
    amount: line.amount,
    description: line.description,
    comment: line.comment,
    taxCode: line.taxCode,
    balanceAccountType: wireEnum(line.balanceAccountType),
    balancingAccountNumber: line.balancingAccountNumber,
    lastModifiedDateTime: line.lastModifiedDateTime,
  };
}

export function entryView(entry: DynamicsGlEntry) {
  return {
    '@odata.etag': `W/"${entry.id}"`,
    id: entry.id,
    entryNumber: entry.entryNumber,
    postingDate: entry.postingDate,
    documentNumber: entry.documentNumber,
    documentType: entry.documentType === '' ? ' ' : entry.documentType,
    accountId: entry.accountId,
    accountNumber: entry.accountNumber,
    description: entry.description,
    debitAmount: entry.debitAmount,
    creditAmount: entry.creditAmount,
    additionalCurrencyDebitAmount: '0',
    additionalCurrencyCreditAmount: '0',
    lastModifiedDateTime: entry.lastModifiedDateTime,
  };
}

export function journalView(journal: DynamicsJournal) {
  return {
    '@odata.etag': `W/"${journal.id}"`,
    id: journal.id,
    code: journal.code,
    displayName: journal.displayName,
    templateDisplayName: journal.templateDisplayName,
    lastModifiedDateTime: new Date(0).toISOString(),
    balancingAccountId: '00000000-0000-0000-0000-000000000000',
    balancingAccountNumber: '',
  };
}

export function accountView(account: DynamicsAccount) {
  return {
    id: account.id,
    number: account.number,
    displayName: account.displayName,
    category: '',
    subCategory: '',
    blocked: account.blocked,
    accountType: 'Posting',
    directPosting: true,
  };
}

export function companyView(company: DynamicsCompany) {
  return {
    id: company.id,
    systemVersion: '25.0',
    name: company.name,
    displayName: company.displayName,
    businessProfileId: '',
  };
}
