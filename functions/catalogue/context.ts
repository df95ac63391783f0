import { defineContext } from '#runtime/define.ts';
import { catalogueContracts } from '#shared/schemas/catalogue-contracts.ts';
import { publicCatalogueContracts } from '#shared/schemas/public-catalogue-contracts.ts';

/**
 * The public-catalogue publishers hold every file of the catalogue in memory and build it on the CPU:
 * one full vCPU (Lambda gives 1,769 MB one) — about 160 MiB of files at 50,000 public entries, and the
 * 10,000-entry rebuild well inside the refresh route's 29 s (npm run bench -- public-catalogue).
 */
export const publisherMemoryMb = 1769;

/** The catalogue context: its functions, routes, state machines, schedules and streams (see runtime/define.ts). */
export const catalogue = defineContext({
  name: 'catalogue',
  functions: {
    RegisterCatalogueEntry: {
      entry: './register-catalogue-entry.ts',
      description: 'The custodian registers a verified result: unified number + catalogue entry in one transaction (audited).',
      tables: {
        registry: 'readWrite',
        logs: 'readWrite',
      },
    },
    GetCatalogueEntry: {
      entry: './get-catalogue-entry.ts',
      description: 'One catalogue entry and its versions, within the caller\'s clearance.',
      tables: {
        registry: 'read',
      },
    },
    UpdateCatalogueEntry: {
      entry: './update-catalogue-entry.ts',
      description: 'The custodian edits a catalogue entry: a new version, audited, index rewritten.',
      tables: {
        registry: 'readWrite',
        logs: 'readWrite',
      },
    },
    SearchCatalogue: {
      entry: './search-catalogue.ts',
      description: 'Catalogue search by index partitions (never a scan), within the caller\'s clearance.',
      tables: {
        registry: 'read',
      },
    },
    PublishPublicCatalogue: {
      entry: './publish-public-catalogue.ts',
      description: 'Daily: rebuilds the public catalogue (page, search index, STAC 1.0.0) of the national and provincial public entries into the published bucket.',
      timeoutSeconds: 300,
      memoryMb: publisherMemoryMb,
      tables: {
        registry: 'read',
      },
      buckets: {
        published: 'readWrite',
      },
      publishesPublicCatalogue: true,
    },
    PublishPublicCatalogueOnChange: {
      entry: './publish-public-catalogue-on-change.ts',
      description: 'R9.3 "updated when entries change": the registry stream\'s catalogue-entry changes, batched, republish the public catalogue when one of them is or was public.',
      timeoutSeconds: 300,
      reservedConcurrency: 1,
      memoryMb: publisherMemoryMb,
      tables: {
        registry: 'read',
      },
      buckets: {
        published: 'readWrite',
      },
      publishesPublicCatalogue: true,
    },
    RefreshPublicCatalogue: {
      entry: './refresh-public-catalogue.ts',
      description: 'A custodian or administrator republishes the public catalogue now, after entries changed.',
      timeoutSeconds: 29,
      memoryMb: publisherMemoryMb,
      tables: {
        registry: 'read',
      },
      buckets: {
        published: 'readWrite',
      },
      publishesPublicCatalogue: true,
    },
  },
  routes: {
    RegisterCatalogueEntry: {
      method: 'POST',
      path: '/catalogue',
      auth: ['custodian'],
      summary: '登记成果目录（赋统一编号）',
      contract: catalogueContracts.RegisterCatalogueEntry,
    },
    SearchCatalogue: {
      method: 'GET',
      path: '/catalogue',
      auth: 'any',
      summary: '检索成果目录',
      contract: catalogueContracts.SearchCatalogue,
    },
    GetCatalogueEntry: {
      method: 'GET',
      path: '/catalogue/{resultNumber}',
      auth: 'any',
      summary: '成果目录条目详情',
      contract: catalogueContracts.GetCatalogueEntry,
    },
    UpdateCatalogueEntry: {
      method: 'PATCH',
      path: '/catalogue/{resultNumber}',
      auth: ['custodian'],
      summary: '修改成果目录条目（留存版本）',
      contract: catalogueContracts.UpdateCatalogueEntry,
    },
    RefreshPublicCatalogue: {
      method: 'POST',
      path: '/public-catalogue/refresh',
      auth: ['custodian', 'administrator'],
      summary: '立即更新成果公开目录',
      contract: publicCatalogueContracts.RefreshPublicCatalogue,
    },
  },
  schedules: {
    PublicCatalogueRefresh: {
      expression: 'cron(0 2 * * ? *)',
      timezone: 'Asia/Shanghai',
      target: {
        function: 'PublishPublicCatalogue',
      },
      description: '每日 02:00 更新成果公开目录（R9.3 定期更新）',
    },
  },
  streams: {
    PublicCatalogueOnChange: {
      table: 'registry',
      function: 'PublishPublicCatalogueOnChange',
      keys: {
        pkPrefix: 'CAT#',
        sk: 'META',
      },
      batchingWindowSeconds: 5,
      batchSize: 100,
      description: '成果目录条目变更后更新成果公开目录（R9.3）',
    },
  },
});
