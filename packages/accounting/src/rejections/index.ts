export { type CatalogueEntry, REJECTION_CATALOGUE, UNCLASSIFIED } from './catalogue.js';
export {
  type ClassifiedRejection,
  classifyRejection,
  explainCatalogCode,
  type VendorError,
} from './classify.js';
