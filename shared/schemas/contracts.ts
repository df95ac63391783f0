import type { RouteContract } from '#runtime/contract.ts';
import { catalogueContracts } from './catalogue-contracts.ts';
import { destructionContracts } from './destruction-contracts.ts';
import { identityContracts } from './identity-contracts.ts';
import { publicCatalogueContracts } from './public-catalogue-contracts.ts';
import { submissionContracts } from './submission-contracts.ts';
import { tasksContracts } from './tasks-contracts.ts';
import { transferContracts } from './transfer-contracts.ts';
import { verificationContracts } from './verification-contracts.ts';

/** Every HTTP route's contract, keyed by manifest function name. */
export const contracts: Readonly<Record<string, RouteContract>> = {
  ...identityContracts,
  ...submissionContracts,
  ...tasksContracts,
  ...verificationContracts,
  ...catalogueContracts,
  ...publicCatalogueContracts,
  ...destructionContracts,
  ...transferContracts,
};
