import { z } from 'zod';
import { contract, type RouteContract } from '#runtime/contract.ts';
import { calendarContracts } from './calendar.ts';
import { catalogueContracts, publicCatalogueContracts } from '#functions/catalogue/context.ts';
import { submissionContracts } from '#functions/submission/contracts.ts';
import { catalogueReportContracts } from './catalogue-report-contracts.ts';
import { destructionContracts } from './destruction-contracts.ts';
import { identityContracts } from './identity-contracts.ts';
import { platformContracts } from './platform-contracts.ts';
import { tasksContracts } from './tasks-contracts.ts';
import { transferContracts } from './transfer-contracts.ts';
import { verificationContracts } from './verification-contracts.ts';

export const docsContracts = {
  OpenApi: contract({
    response: z.object({ openapi: z.literal('3.1.0') }).loose(),
    description: '本文档：由各接口的 zod 模式生成。',
  }),
};

/** Every HTTP route's contract, keyed by manifest function name. */
export const contracts: Readonly<Record<string, RouteContract>> = {
  ...docsContracts,
  ...platformContracts,
  ...identityContracts,
  ...calendarContracts,
  ...submissionContracts,
  ...tasksContracts,
  ...verificationContracts,
  ...catalogueContracts,
  ...catalogueReportContracts,
  ...publicCatalogueContracts,
  ...destructionContracts,
  ...transferContracts,
};
