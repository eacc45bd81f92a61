export { REJECTION_CATALOGUE, UNCLASSIFIED } from './catalogue.js';
export {
  classifyRejection,
  explainCatalogCode,
} from './classify.js';
